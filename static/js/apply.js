/* The apply form's small enhancements; the form works without them.
   1. Conditional questions are shown and hidden as the parent answer changes. A hidden
      question's inputs are disabled, so the browser does not send them (the server
      ignores them anyway: it decides visibility itself).
   2. Repeatable questions get entries added and removed in place, instead of the
      "Add another" / "Remove" round trip to the server.
   3. On phones the send button sticks to the bottom of the screen (apply.css); a field
      that gets focus behind it is scrolled up into view (WCAG 2.4.11). */
(function () {
  "use strict";
  var form = document.getElementById("apply-form");
  if (!form) { return; }

  function parentValues(name) {
    var values = [];
    form.querySelectorAll("[name='" + name + "']").forEach(function (input) {
      if (input.tagName === "SELECT") {
        Array.prototype.forEach.call(input.selectedOptions, function (o) { values.push(o.value); });
      } else if ((input.type === "radio" || input.type === "checkbox")) {
        if (input.checked) { values.push(input.value); }
      } else if (input.value) {
        values.push(input.value);
      }
    });
    return values;
  }

  function updateConditionals() {
    form.querySelectorAll("[data-conditions]").forEach(function (question) {
      var conditions = JSON.parse(question.getAttribute("data-conditions"));
      var visible = conditions.some(function (c) {
        return parentValues(c.parent).some(function (v) { return c.values.indexOf(v) !== -1; });
      });
      question.hidden = !visible;
      question.querySelectorAll("input, select, textarea, button").forEach(function (el) {
        el.disabled = !visible;
      });
    });
  }

  var RECORD_PART = /(q\d+)-\d+(-|$)/;
  function renumber(records) {
    var fieldsets = records.querySelectorAll("[data-record]");
    fieldsets.forEach(function (fieldset, index) {
      fieldset.setAttribute("data-record", String(index));
      fieldset.querySelectorAll("[name], [id], [for], [aria-describedby], [data-remove-record]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(RECORD_PART, "$1-" + index + "$2")); }
        });
        if (el.hasAttribute("data-remove-record")) {
          el.value = el.value.replace(RECORD_PART, "$1-" + index + "$2");
          el.hidden = fieldsets.length === 1;
        }
      });
      var number = fieldset.querySelector("[data-record-number]");
      if (number) { number.textContent = String(index + 1); }
    });
    var question = records.closest("[data-question]");
    question.querySelector("[data-count]").value = String(fieldsets.length);
  }

  function clearRecord(fieldset) {
    fieldset.querySelectorAll(".field-error").forEach(function (el) { el.remove(); });
    fieldset.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    fieldset.querySelectorAll("input, textarea, select").forEach(function (el) {
      if (el.tagName === "SELECT") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = false; });
        if (!el.multiple) { el.selectedIndex = 0; }
      } else if (el.type === "radio" || el.type === "checkbox") {
        el.checked = false;
      } else {
        el.value = "";
      }
    });
  }

  form.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-record]");
    var remove = event.target.closest("[data-remove-record]");
    if (add) {
      event.preventDefault();
      var records = add.closest("[data-question]").querySelector("[data-records]");
      var all = records.querySelectorAll("[data-record]");
      if (all.length >= 20) { return; }
      var copy = all[all.length - 1].cloneNode(true);
      clearRecord(copy);
      records.appendChild(copy);
      renumber(records);
      var first = copy.querySelector("input:not([type=hidden]), select, textarea");
      if (first) { first.focus(); }
    } else if (remove) {
      event.preventDefault();
      var list = remove.closest("[data-records]");
      if (list.querySelectorAll("[data-record]").length > 1) {
        remove.closest("[data-record]").remove();
        renumber(list);
        var next = list.closest("[data-question]").querySelector("[data-add-record]");
        if (next) { next.focus(); }
      }
    }
  });

  form.addEventListener("change", updateConditionals);
  updateConditionals();

  // Browsers scroll a focused field into view only when it is off screen; one that is
  // on screen but under the sticky bar would stay (partly) hidden.
  var bar = form.querySelector(".apply-submit");
  form.addEventListener("focusin", function (event) {
    if (!bar || bar.contains(event.target) || getComputedStyle(bar).position !== "sticky") {
      return;
    }
    var overlap = event.target.getBoundingClientRect().bottom - bar.getBoundingClientRect().top;
    if (overlap > 0) { window.scrollBy(0, overlap + 16); }
  });

  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
