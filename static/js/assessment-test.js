/* The candidate's test page: a countdown, answers saved as the candidate goes, and the
   test submitted when the time is up. Without JavaScript the page still works: "Save
   answers" and "Submit answers" are plain buttons, and the server closes the attempt
   when the time runs out. */
(function () {
  "use strict";
  var timer = document.getElementById("time-left");
  var form = document.getElementById("test-form");
  var state = document.getElementById("save-state");
  if (!timer || !form) { return; }

  var left = parseInt(timer.dataset.seconds, 10) || 0;
  var dirty = false;
  var submitting = false;

  function show() {
    var m = Math.floor(left / 60), s = left % 60;
    timer.textContent = m + " min " + (s < 10 ? "0" : "") + s + " s";
  }

  function answersOnly() {
    var data = new FormData(form);
    // Files travel with "Save answers" and "Submit answers" only, not with every autosave.
    form.querySelectorAll("input[type=file]").forEach(function (input) { data.delete(input.name); });
    data.append("save", "1");
    return data;
  }

  function save() {
    if (!dirty || submitting) { return; }
    dirty = false;
    fetch(form.dataset.autosave, {
      method: "POST",
      body: answersOnly(),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (reply) {
      if (reply.body.closed) { window.location.assign(reply.body.next); return; }
      if (reply.ok) {
        state.textContent = "Answers saved at " + new Date().toLocaleTimeString() + ".";
        if (typeof reply.body.seconds_left === "number") { left = reply.body.seconds_left; }
      } else {
        dirty = true;
        state.textContent = "Some answers could not be saved yet.";
      }
    }).catch(function () {
      dirty = true;
      state.textContent = "Not saved: the connection was lost. We will try again.";
    });
  }

  function submitNow() {
    if (submitting) { return; }
    submitting = true;
    var button = form.querySelector("button[name=submit]");
    if (form.requestSubmit && button) { form.requestSubmit(button); } else { form.submit(); }
  }

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { submitting = true; });
  show();
  setInterval(function () {
    if (left > 0) { left -= 1; show(); }
    if (left <= 0) { submitNow(); }
  }, 1000);
  setInterval(save, 15000);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { save(); }
  });
})();
