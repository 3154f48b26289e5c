// SOP checklist mode: an SOP's numbered steps become a checklist the agent ticks through during
// the call — Space ticks the focused step, ↓/↑ (or j/k) move, "c" starts from the first open
// step — with the elapsed time, and "Copy call summary" (steps done, article, revision) for
// the ticket. State lives in this tab's sessionStorage only, so it survives a reload during the
// call and nothing reaches the server.
(function () {
  "use strict";
  var article = document.querySelector("article[data-article-slug]");
  var body = document.getElementById("article-body");
  var i18nEl = document.getElementById("checklist-i18n");
  if (!article || !body || !i18nEl) { return; }
  var lists = Array.prototype.filter.call(body.children, function (node) { return node.tagName === "OL"; });
  if (!lists.length) { return; }
  var i18n = JSON.parse(i18nEl.textContent);
  var key = "kb-checklist:" + article.dataset.articleSlug + ":" + article.dataset.revision;
  var state = load();
  var steps = [];
  var ticker = null;

  function load() {
    try { return JSON.parse(sessionStorage.getItem(key)) || { started: null, done: {}, finished: null }; }
    catch (e) { return { started: null, done: {}, finished: null }; }
  }
  function save() { try { sessionStorage.setItem(key, JSON.stringify(state)); } catch (e) { /* private mode: in memory only */ } }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function sectionOf(list) {
    for (var node = list.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) {
        var clone = node.cloneNode(true);
        clone.querySelectorAll(".kb-ui").forEach(function (n) { n.remove(); });
        return clone.textContent.replace(/\s+/g, " ").trim();
      }
    }
    return "";
  }

  function stepText(li) {
    var clone = li.cloneNode(true);
    clone.querySelectorAll("ol, ul, .kb-ui").forEach(function (n) { n.remove(); });
    return clone.textContent.replace(/\s+/g, " ").trim();
  }

  function clock(ms) {
    var seconds = Math.max(0, Math.floor(ms / 1000));
    var m = Math.floor(seconds / 60), s = seconds % 60;
    return (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
  }

  // ---- the bar ------------------------------------------------------------------------------
  var bar = el("div", "checklist-bar card no-print kb-ui");
  bar.id = "checklist";
  bar.setAttribute("role", "region");
  bar.setAttribute("aria-label", i18n.title);
  var title = el("strong", "", i18n.title);
  var progress = el("span", "checklist-progress");
  var elapsed = el("span", "checklist-time");
  elapsed.setAttribute("aria-live", "off");
  var touch = window.matchMedia && window.matchMedia("(hover: none), (pointer: coarse)").matches;
  var start = el("button", "small-button", touch ? i18n.startTouch : i18n.start);
  var copyButton = el("button", "small-button primary", i18n.copy);
  var reset = el("button", "small-button", i18n.reset);
  [start, copyButton, reset].forEach(function (b) { b.type = "button"; });
  var hint = el("span", "muted small checklist-hint", touch ? i18n.hintTouch : i18n.hint);
  [title, progress, elapsed, start, copyButton, reset, hint].forEach(function (n) { bar.appendChild(n); });
  var layout = body.closest(".article-layout") || body;
  layout.parentNode.insertBefore(bar, layout);

  function doneCount() { return steps.filter(function (s) { return state.done[s.index]; }).length; }

  function refresh() {
    var done = doneCount();
    progress.textContent = i18n.progress.replace("{done}", done).replace("{total}", steps.length);
    var end = state.finished || Date.now();
    elapsed.textContent = state.started ? clock(end - state.started) : "00:00";
    elapsed.classList.toggle("finished", !!state.finished);
    steps.forEach(function (s) {
      var ticked = !!state.done[s.index];
      s.li.classList.toggle("ticked", ticked);
      s.li.setAttribute("aria-checked", ticked ? "true" : "false");
    });
    if (state.started && !state.finished && !ticker) { ticker = setInterval(refresh, 1000); }
    if ((!state.started || state.finished) && ticker) { clearInterval(ticker); ticker = null; }
  }

  function toggle(step) {
    if (!state.started) { state.started = Date.now(); }
    if (state.done[step.index]) { delete state.done[step.index]; } else { state.done[step.index] = Date.now(); }
    state.finished = doneCount() === steps.length ? Date.now() : null;
    save();
    refresh();
  }

  function focusStep(i) {
    var step = steps[Math.max(0, Math.min(steps.length - 1, i))];
    step.li.focus();
  }

  function firstOpen() {
    for (var i = 0; i < steps.length; i++) { if (!state.done[steps[i].index]) { return i; } }
    return 0;
  }

  function summary() {
    var lines = [i18n.summaryTitle + ": " + document.querySelector("h1").textContent.trim(),
      i18n.article + ": " + window.location.origin + window.location.pathname + " · " + i18n.revision + " " + article.dataset.revision,
      i18n.elapsed + ": " + (state.started ? clock((state.finished || Date.now()) - state.started) : "00:00"),
      i18n.progress.replace("{done}", doneCount()).replace("{total}", steps.length)];
    var section = null;
    steps.forEach(function (s) {
      if (s.section !== section) { section = s.section; if (section) { lines.push("", section); } }
      lines.push((state.done[s.index] ? "[x] " : "[ ] ") + s.number + ". " + s.text);
    });
    return lines.join("\n");
  }

  // ---- the steps ----------------------------------------------------------------------------
  lists.forEach(function (list) {
    var section = sectionOf(list);
    var number = Number(list.getAttribute("start") || 1);
    list.classList.add("checklist");
    Array.prototype.forEach.call(list.children, function (li) {
      if (li.tagName !== "LI") { return; }
      var step = { li: li, index: steps.length, number: number++, section: section, text: stepText(li) };
      li.tabIndex = 0;
      li.setAttribute("role", "checkbox");
      li.classList.add("check-step");
      li.insertBefore(el("span", "step-number kb-ui", step.number + "."), li.firstChild);
      steps.push(step);
      li.addEventListener("click", function (event) {
        if (event.target.closest("a, button")) { return; }
        toggle(step);
      });
      li.addEventListener("keydown", function (event) {
        if (event.target !== li) { return; }
        if (event.key === " " || event.key === "Enter") { event.preventDefault(); toggle(step); }
        else if (event.key === "ArrowDown" || event.key === "j") { event.preventDefault(); focusStep(step.index + 1); }
        else if (event.key === "ArrowUp" || event.key === "k") { event.preventDefault(); focusStep(step.index - 1); }
      });
    });
  });

  start.addEventListener("click", function () { focusStep(firstOpen()); });
  reset.addEventListener("click", function () {
    state = { started: null, done: {}, finished: null };
    save();
    refresh();
  });
  copyButton.addEventListener("click", function () {
    window.kb.copy(summary()).then(function () { window.kb.flash(copyButton, i18n.copied, i18n.copy); });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "c" && !event.ctrlKey && !event.metaKey && !event.altKey &&
        !window.kb.isTyping(document.activeElement) && !(document.activeElement && document.activeElement.closest(".check-step"))) {
      event.preventDefault();
      focusStep(firstOpen());
    }
  });
  refresh();
  bar.dataset.ready = "1";
})();
