/* Open Job Board widget: an employer's live jobs on any site, from one <script> tag.
 *
 *   <script src="https://jobs.example.org/widget.js" data-company="acme"
 *           data-filters="q=python&location=Berlin&department=Engineering"
 *           data-limit="5" async></script>
 *
 * Renders into a Shadow DOM right after the tag (or into data-target="#id"), so the host
 * page's styles and ours never mix. Reads the public jobs API of the server it was
 * loaded from (CORS); no dependencies, no cookies; data goes in as text, never as markup.
 * Options: data-company (the company's slug), data-filters (the board's search
 * parameters; "location" and "department" name where and function), data-limit (1-50),
 * data-heading, data-empty and data-error (texts, for another language). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var origin = new URL(script.src).origin;
  var data = script.dataset;
  var ALIASES = { location: "where", department: "function" };
  var CSS = [
    ":host{display:block;font:inherit;color:inherit}",
    ".ojb{margin:0;padding:0;list-style:none}",
    ".ojb li{padding:.6em 0;border-bottom:1px solid rgba(127,127,127,.3)}",
    ".ojb a{font-weight:600;color:inherit}",
    ".meta{display:block;font-size:.875em;opacity:.8}",
    "h2{font-size:1.15em;margin:0 0 .4em}",
    ".more{display:inline-block;margin-top:.6em}",
  ].join("");

  function query() {
    var asked = new URLSearchParams(data.filters || "");
    var sent = new URLSearchParams();
    asked.forEach(function (value, key) {
      sent.append(ALIASES[key] || key, value);
    });
    if (data.company) sent.set("company", data.company);
    var limit = parseInt(data.limit, 10);
    sent.set("limit", String(limit > 0 ? Math.min(limit, 50) : 5));
    return sent;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function styled(root) {
    // A constructed stylesheet: host pages whose CSP forbids inline styles allow it too.
    if (root.adoptedStyleSheets !== undefined && window.CSSStyleSheet) {
      try {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        root.adoptedStyleSheets = [sheet];
        return;
      } catch (e) {
        /* older engines: fall through to a <style> element */
      }
    }
    root.appendChild(element("style", "", CSS));
  }

  function link(href, text, className) {
    var a = element("a", className, text);
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener";
    return a;
  }

  function render(root, jobs) {
    var box = element("div", "box");
    box.setAttribute("part", "box");
    if (data.heading) box.appendChild(element("h2", "", data.heading));
    if (!jobs.length) {
      box.appendChild(element("p", "empty", data.empty || "No open positions right now."));
    }
    var list = element("ul", "ojb");
    jobs.forEach(function (job) {
      var item = element("li", "job");
      item.setAttribute("part", "job");
      item.appendChild(link(job.url, job.title, "title"));
      var facts = [job.company.name, job.location.display, job.employment_type];
      if (job.location.remote) facts.push("Remote");
      item.appendChild(element("span", "meta", facts.filter(Boolean).join(" \u00b7 ")));
      list.appendChild(item);
    });
    if (jobs.length) box.appendChild(list);
    if (jobs.length && data.company) {
      box.appendChild(link(jobs[0].company.url, "All jobs at " + jobs[0].company.name, "more"));
    }
    root.appendChild(box);
  }

  var host = document.createElement("div");
  host.className = "ojb-widget";
  var target = data.target && document.querySelector(data.target);
  if (target) target.appendChild(host);
  else script.parentNode.insertBefore(host, script.nextSibling);
  var root = host.attachShadow({ mode: "open" });
  styled(root);

  fetch(origin + "/api/v1/jobs/?" + query().toString(), {
    credentials: "omit",
    headers: { Accept: "application/json" },
  })
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (page) {
      render(root, page.results);
      host.setAttribute("data-state", "ready");
    })
    .catch(function () {
      root.appendChild(element("p", "error", data.error || "Jobs could not be loaded."));
      host.setAttribute("data-state", "error");
    });
})();
