// kb_portal search: live results while typing, keyboard navigation, and on the article page
// highlighting of the query and a "copy" button per section. No dependencies.
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var box = document.getElementById("search-box");
  var panel = document.getElementById("live-results");
  var sidField = document.getElementById("search-sid");
  var i18n = {};
  try { i18n = JSON.parse(document.getElementById("search-i18n").textContent); } catch (e) { /* defaults */ }

  function t(key, fallback) { return i18n[key] || fallback; }

  // ---- live results ----------------------------------------------------------------------
  var timer = null;
  var sent = 0;       // sequence number of the last request sent
  var shown = 0;      // sequence number of the results on screen: older answers are dropped
  var active = -1;
  var items = [];

  function newSid() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 10);
  }

  function openUrl(hit, query, rank) {
    var params = new URLSearchParams({ slug: hit.slug, q: query, rank: String(rank), sid: sidField.value });
    if (hit.highlights && hit.highlights.length) { params.set("hl", hit.highlights.join("\n")); }
    return "/search/open?" + params.toString();
  }

  function close() {
    panel.hidden = true;
    box.setAttribute("aria-expanded", "false");
    box.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function setActive(index) {
    if (!items.length) { return; }
    active = (index + items.length) % items.length;
    items.forEach(function (el, i) { el.classList.toggle("active", i === active); el.setAttribute("aria-selected", i === active ? "true" : "false"); });
    box.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function render(data, query) {
    panel.textContent = "";
    items = [];
    active = -1;
    if (data.did_you_mean) {
      var dym = el("p", "live-dym", t("didYouMean", "Did you mean") + " ");
      var link = el("a", "", data.did_you_mean);
      link.href = "/search?q=" + encodeURIComponent(data.did_you_mean);
      dym.appendChild(link);
      panel.appendChild(dym);
    }
    data.results.forEach(function (hit, i) {
      var a = el("a", "live-item");
      a.id = "live-opt-" + i;
      a.href = openUrl(hit, query, i + 1);
      a.setAttribute("role", "option");
      var title = el("span", "live-title");
      title.innerHTML = hit.title_html;  // escaped by the server; only <mark> added
      var meta = el("span", "live-meta");
      meta.appendChild(el("span", "badge badge-" + hit.category, hit.category_name || hit.category));
      meta.appendChild(el("span", "muted", " " + hit.updated));
      var snippet = el("span", "live-snippet");
      snippet.innerHTML = hit.snippet;   // escaped by the server; only <mark> added
      a.appendChild(title); a.appendChild(meta); a.appendChild(snippet);
      panel.appendChild(a);
      items.push(a);
    });
    if (!data.results.length) { panel.appendChild(el("p", "muted live-empty", t("noResults", "No article matches."))); }
    var all = el("a", "live-all", t("allResults", "All results") + " (" + data.total + ")");
    all.href = "/search?" + new URLSearchParams({ q: query, sid: sidField.value }).toString();
    panel.appendChild(all);
    panel.hidden = false;
    box.setAttribute("aria-expanded", "true");
  }

  function fetchResults() {
    var query = box.value;
    if (!query.trim()) { close(); return; }
    var seq = ++sent;
    var url = box.dataset.liveUrl + "?" + new URLSearchParams({ q: query, limit: "8", sid: sidField.value }).toString();
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        // Answers can arrive out of order: never let an older one replace a newer one.
        if (!data || seq < shown) { return; }
        shown = seq;
        render(data, query);
      })
      .catch(function () { /* offline or navigating away: keep what is shown */ });
  }

  if (box && panel && sidField) {
    box.setAttribute("aria-controls", "live-results");
    box.setAttribute("aria-autocomplete", "list");
    box.addEventListener("input", function () {
      if (!sidField.value) { sidField.value = newSid(); }
      if (!box.value.trim()) { sidField.value = ""; }
      clearTimeout(timer);
      timer = setTimeout(fetchResults, DEBOUNCE_MS);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") { event.preventDefault(); if (panel.hidden) { fetchResults(); } else { setActive(active + 1); } }
      else if (event.key === "ArrowUp") { event.preventDefault(); setActive(active - 1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0 && !panel.hidden) {
        event.preventDefault();
        window.location.href = items[active].href;
      }
    });
    document.addEventListener("click", function (event) {
      if (!panel.contains(event.target) && event.target !== box) { close(); }
    });
  }

  // ---- article page: highlight the query, copy buttons -------------------------------------
  var body = document.getElementById("article-body");
  if (!body) { return; }

  function highlight(words) {
    words = words.filter(function (w) { return w && w.trim().length > 0; })
      .sort(function (a, b) { return b.length - a.length; });
    if (!words.length) { return null; }
    var escaped = words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    var pattern = new RegExp("(" + escaped.join("|") + ")", "gi");
    var walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT, null);
    var nodes = [];
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    var first = null;
    nodes.forEach(function (node) {
      if (!pattern.test(node.nodeValue)) { return; }
      pattern.lastIndex = 0;
      var frag = document.createDocumentFragment();
      var last = 0;
      node.nodeValue.replace(pattern, function (match, _g, offset) {
        frag.appendChild(document.createTextNode(node.nodeValue.slice(last, offset)));
        var mark = el("mark", "kb-hit", match);
        frag.appendChild(mark);
        first = first || mark;
        last = offset + match.length;
      });
      frag.appendChild(document.createTextNode(node.nodeValue.slice(last)));
      node.parentNode.replaceChild(frag, node);
    });
    return first;
  }

  var params = new URLSearchParams(window.location.search);
  var words = (params.get("hl") || "").split("\n");
  if (!params.get("hl") && params.get("q")) { words = params.get("q").split(/\s+/); }
  var first = highlight(words);
  if (first) { first.scrollIntoView({ block: "center" }); }

  function sectionText(heading) {
    var level = Number(heading.tagName.slice(1));
    var parts = [heading.textContent.replace(t("copy", "Copy"), "").trim()];
    for (var node = heading.nextElementSibling; node; node = node.nextElementSibling) {
      if (/^H[1-6]$/.test(node.tagName) && Number(node.tagName.slice(1)) <= level) { break; }
      parts.push(node.innerText.trim());
    }
    return parts.filter(Boolean).join("\n\n");
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    var area = el("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }

  body.querySelectorAll("h2, h3").forEach(function (heading) {
    var button = el("button", "copy-section linklike", t("copy", "Copy"));
    button.type = "button";
    button.addEventListener("click", function () {
      copy(sectionText(heading)).then(function () {
        button.textContent = t("copied", "Copied");
        setTimeout(function () { button.textContent = t("copy", "Copy"); }, 1500);
      });
    });
    heading.appendChild(button);
  });
})();
