/* Courier stop page: a signature drawn with a finger (sent as a PNG data URL in a hidden
   field) and the position, asked for only when the courier ticks the consent box.
   Served as a static file: the Content-Security-Policy allows no inline script. */
(function () {
  "use strict";

  function setUpSignature(canvas) {
    var field = document.getElementById(canvas.dataset.signatureFor);
    var form = canvas.closest("form");
    var context = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;

    context.lineWidth = 3;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#111";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return {
        x: (event.clientX - box.left) * (canvas.width / box.width),
        y: (event.clientY - box.top) * (canvas.height / box.height)
      };
    }

    canvas.addEventListener("pointerdown", function (event) {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      drawing = true;
      context.beginPath();
      context.moveTo(p.x, p.y);
      context.lineTo(p.x + 0.1, p.y + 0.1);
      context.stroke();
      drawn = true;
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) { return; }
      event.preventDefault();
      var p = point(event);
      context.lineTo(p.x, p.y);
      context.stroke();
    });
    function stop() { drawing = false; }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    canvas.addEventListener("pointerleave", stop);

    var clear = document.querySelector("[data-clear-signature='" + canvas.id + "']");
    if (clear) {
      clear.addEventListener("click", function () {
        context.clearRect(0, 0, canvas.width, canvas.height);
        drawn = false;
        field.value = "";
      });
    }
    if (form) {
      form.addEventListener("submit", function () {
        field.value = drawn ? canvas.toDataURL("image/png") : "";
      });
    }
  }

  function setUpPosition(box) {
    var form = box.closest("form");
    var state = document.getElementById("position-state");
    function set(name, value) { form.querySelector("input[name='" + name + "']").value = value; }
    function clear() { set("lat", ""); set("lon", ""); set("accuracy", ""); }
    box.addEventListener("change", function () {
      clear();
      if (!box.checked) { state.textContent = ""; return; }
      if (!("geolocation" in navigator)) {
        state.textContent = box.dataset.unavailable || "—";
        box.checked = false;
        return;
      }
      state.textContent = "…";
      navigator.geolocation.getCurrentPosition(function (found) {
        set("lat", found.coords.latitude);
        set("lon", found.coords.longitude);
        set("accuracy", found.coords.accuracy);
        state.textContent = "✓";
      }, function () {
        box.checked = false;
        state.textContent = "✗";
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-signature-for]").forEach(setUpSignature);
    document.querySelectorAll("input[data-geolocate]").forEach(setUpPosition);
  });
})();
