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

  // Saved jobs: ids in this browser's localStorage, no account. The buttons are hidden
  // in the HTML and appear only where storage works; /saved/ lists the jobs from the
  // ids in its URL, so the list is also a bookmark.
  var SAVED_KEY = "board.savedJobs";
  var MAX_SAVED = 100;
  function readSaved() {
    try {
      var ids = JSON.parse(window.localStorage.getItem(SAVED_KEY) || "[]");
      return Array.isArray(ids) ? ids.filter(function (id) { return Number.isInteger(id) && id > 0; }) : [];
    } catch (error) { return null; }
  }
  function writeSaved(ids) {
    try {
      window.localStorage.setItem(SAVED_KEY, JSON.stringify(ids.slice(0, MAX_SAVED)));
      return true;
    } catch (error) { return false; }
  }
  function savedUrl(ids) {
    // The nav's link knows the page's address (and any language prefix).
    var link = document.querySelector("a[href$='/saved/']");
    var path = link ? link.getAttribute("href") : "/saved/";
    return path + (ids.length ? "?" + ids.map(function (id) { return "id=" + id; }).join("&") : "");
  }
  // The page's words for what this script writes (base.html, json_script); English
  // when the block is missing.
  var words = { save: "Save", saved: "Saved", jobSaved: "Job saved.",
    jobRemoved: "Job removed from your saved jobs.", listKept: "This list is now kept in this browser.",
    cannotKeep: "This browser cannot keep saved jobs.", linkCopied: "Link copied" };
  var wordsBlock = document.getElementById("board-messages");
  if (wordsBlock) {
    try { words = Object.assign(words, JSON.parse(wordsBlock.textContent)); } catch (e) { /* keep English */ }
  }
  var saved = readSaved();
  var status = document.querySelector("[data-saved-status]");
  function announce(text) { if (status) { status.textContent = text; } }
  function showCount(ids) {
    document.querySelectorAll("[data-saved-count]").forEach(function (badge) {
      badge.textContent = ids.length ? " (" + ids.length + ")" : "";
    });
  }
  function showButton(button, ids) {
    var on = ids.indexOf(Number(button.dataset.saveJob)) !== -1;
    button.setAttribute("aria-pressed", on ? "true" : "false");
    button.querySelector(".save-job-label").textContent = on ? words.saved : words.save;
  }
  if (saved !== null) {
    showCount(saved);
    var page = document.querySelector("[data-saved-page]");
    var shown = page && page.dataset.ids ? page.dataset.ids.split(",").map(Number) : [];
    // /saved/ without ids: open the list this browser keeps.
    if (page && !shown.length && saved.length) {
      window.location.replace(savedUrl(saved));
      return;
    }
    // A list opened from a bookmark on another browser: offer to keep it here.
    if (page && shown.length && shown.some(function (id) { return saved.indexOf(id) === -1; })) {
      var keep = page.querySelector("[data-keep-saved]");
      keep.parentNode.hidden = false;
      keep.addEventListener("click", function () {
        saved = shown.concat(saved.filter(function (id) { return shown.indexOf(id) === -1; }));
        writeSaved(saved);
        showCount(saved);
        document.querySelectorAll("button[data-save-job]").forEach(function (b) { showButton(b, saved); });
        keep.parentNode.hidden = true;
        announce(words.listKept);
      });
    }
    document.querySelectorAll("button[data-save-job]").forEach(function (button) {
      button.hidden = false;
      showButton(button, saved);
      button.addEventListener("click", function () {
        var id = Number(button.dataset.saveJob);
        var at = saved.indexOf(id);
        if (at === -1) { saved.unshift(id); } else { saved.splice(at, 1); }
        if (!writeSaved(saved)) { announce(words.cannotKeep); return; }
        showButton(button, saved);
        showCount(saved);
        announce(at === -1 ? words.jobSaved : words.jobRemoved);
        // On the saved page, an unsaved job leaves the list and the address.
        if (page && at !== -1) {
          var item = button.closest("[data-saved-item]");
          if (item) { item.remove(); }
          shown = shown.filter(function (other) { return other !== id; });
          window.history.replaceState(null, "", savedUrl(shown));
        }
      });
    });
  }

  // "Copy link" needs the clipboard API, so it only appears where that exists.
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    if (!navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.copy).then(function () {
        button.textContent = words.linkCopied;
      });
    });
  });
})();
