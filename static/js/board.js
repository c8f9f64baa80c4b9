/* Small enhancements for the job board. Every page works without this file. */
(function () {
  "use strict";
  // The sort list applies itself once this script runs; its button is for no-JS visitors.
  document.documentElement.classList.add("js-enhanced");

  // Filters and sort apply as soon as they change; the buttons stay for keyboard users
  // who prefer to choose several filters before the page reloads.
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function (event) {
      if (event.target.matches("input[type=checkbox], input[type=radio], select")) {
        form.requestSubmit ? form.requestSubmit() : form.submit();
      }
    });
    form.addEventListener("submit", function () {
      // Empty values ("Any") would only clutter the shareable URL.
      form.querySelectorAll("input[type=radio]:checked").forEach(function (input) {
        if (input.value === "") { input.disabled = true; }
      });
    });
  });

  // One-click unsubscribe from an email link: a person's browser runs this, a mail
  // scanner that only fetches the page does not.
  var now = document.querySelector("form[data-submit-on-load]");
  if (now) { now.submit(); }

  // A form that came back with errors: move focus to the summary so it is read out.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  // On a phone the filters start folded so the results come first.
  var panel = document.querySelector(".filters-panel");
  if (panel && window.matchMedia("(max-width: 52rem)").matches) {
    var hasSelection = panel.querySelector("input:checked:not([value=''])");
    if (!hasSelection) { panel.removeAttribute("open"); }
  }

  // "Copy link" needs the clipboard API, so it only appears where that exists.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copy).then(function () {
        button.textContent = "Link copied";
      });
    });
  });
})();
