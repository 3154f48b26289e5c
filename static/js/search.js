// kb_portal live search: ONE component for every search box (the home page's and the top
// bar's), so they behave the same. Each <form data-live-search> holds a search input, a hidden
// sid and a .live-results panel. What an agent mid-call needs from it:
//  * results while typing, ↑/↓ to choose, Enter to open, Esc closes the list (the query
//    stays), a second Esc clears the box; Enter on an empty box does nothing;
//  * no request while an input method composes a word (pinyin): compositionstart/-end;
//  * never a "no match" for a query that is still in flight or being typed: older requests
//    are aborted (AbortController) and only the latest completed query may show "no match";
//  * the query and its results survive Back and a reload (history.replaceState);
//  * each result says which section matched ("› 到账时限") and shows that passage's answer
//    card with a Copy button.
// No dependencies; window.kb.copy (app.js) writes the clipboard.
(function () {
  "use strict";

  var DEBOUNCE_MS = 150;
  var LIMIT = "8";
  var i18n = {};
  try { i18n = JSON.parse(document.getElementById("search-i18n").textContent); } catch (e) { /* defaults */ }
  function t(key, fallback) { return i18n[key] || fallback; }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function newSid() { return Date.now().toString(36) + Math.random().toString(36).slice(2, 10); }

  function isComposingKey(event) { return event.isComposing || event.keyCode === 229; }

  /** The link of a result: /search/open logs the click, then lands on the matched section. */
  function openUrl(hit, query, rank, sid) {
    var params = new URLSearchParams({ slug: hit.slug, q: query, rank: String(rank) });
    if (sid) { params.set("sid", sid); }
    if (hit.highlights && hit.highlights.length) { params.set("hl", hit.highlights.join("\n")); }
    if (hit.section_id) { params.set("section", hit.section_id); }
    return "/search/open?" + params.toString();
  }

  function answerCard(answer) {
    var card = el("div", "live-answer answer-card");
    var label = el("span", "answer-label", answer.section ? t("answerIn", "Answer") + " · " + answer.section : t("answer", "Answer"));
    var text = el("span", "answer-text", answer.text);
    var button = el("button", "copy-answer small-button", t("copy", "Copy"));
    button.type = "button";
    button.addEventListener("mousedown", function (event) { event.preventDefault(); });  // keep the box's focus
    button.addEventListener("click", function (event) {
      event.preventDefault();
      event.stopPropagation();
      window.kb.copy(answer.text).then(function () { window.kb.flash(button, t("copied", "Copied"), t("copy", "Copy")); });
    });
    card.appendChild(label); card.appendChild(text); card.appendChild(button);
    return card;
  }

  function LiveSearch(form) {
    var box = form.querySelector("input[type=search]");
    var panel = form.querySelector(".live-results");
    var sidField = form.querySelector("input[name=sid]");
    var stateKey = "kbSearch:" + box.id;
    var timer = null, controller = null, sent = 0, composing = false;
    var items = [], active = -1;
    var shown = null;  // {q, data}: what the panel holds

    box.setAttribute("role", "combobox");
    box.setAttribute("aria-controls", panel.id);
    box.setAttribute("aria-autocomplete", "list");
    box.setAttribute("aria-expanded", "false");

    function isOpen() { return !panel.hidden; }

    function open() {
      if (!shown) { return; }
      panel.hidden = false;
      box.setAttribute("aria-expanded", "true");
    }

    function close() {
      panel.hidden = true;
      box.setAttribute("aria-expanded", "false");
      box.removeAttribute("aria-activedescendant");
      setActive(-1);
    }

    function setActive(index) {
      active = items.length ? index : -1;
      items.forEach(function (item, i) {
        item.classList.toggle("active", i === active);
        item.querySelector(".live-link").setAttribute("aria-selected", i === active ? "true" : "false");
      });
      if (active >= 0) {
        box.setAttribute("aria-activedescendant", items[active].querySelector(".live-link").id);
        items[active].scrollIntoView({ block: "nearest" });
      } else {
        box.removeAttribute("aria-activedescendant");
      }
    }

    function move(step) {
      if (!items.length) { return; }
      if (step > 0) { setActive((active + 1) % items.length); } else { setActive(active <= 0 ? items.length - 1 : active - 1); }
    }

    function remember() {
      var state = Object.assign({}, history.state || {});
      state[stateKey] = shown ? { q: shown.q, data: shown.data, sid: sidField.value } : null;
      try { history.replaceState(state, ""); } catch (e) { /* state too large: not fatal */ }
    }

    function render(data, query) {
      shown = { q: query, data: data };
      panel.textContent = "";
      panel.dataset.query = query;
      items = [];
      active = -1;
      if (data.did_you_mean) {
        var dym = el("p", "live-dym", t("didYouMean", "Did you mean") + " ");
        var suggestion = el("a", "", data.did_you_mean);
        suggestion.href = "/search?q=" + encodeURIComponent(data.did_you_mean);
        dym.appendChild(suggestion);
        panel.appendChild(dym);
      }
      var list = el("div", "live-list");
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", t("results", "Results"));
      data.results.forEach(function (hit, i) {
        var item = el("div", "live-item");
        var link = el("a", "live-link");
        link.id = panel.id + "-opt-" + i;
        link.href = openUrl(hit, query, i + 1, sidField.value);
        link.setAttribute("role", "option");
        link.tabIndex = -1;
        var head = el("span", "live-head");
        var title = el("span", "live-title");
        title.innerHTML = hit.title_html;  // escaped by the server; only <mark> added
        head.appendChild(title);
        if (hit.section) { head.appendChild(el("span", "live-section", " › " + hit.section)); }
        var meta = el("span", "live-meta");
        meta.appendChild(el("span", "badge badge-" + hit.category, hit.category_name || hit.category));
        meta.appendChild(el("span", "muted", " " + hit.updated));
        var snippet = el("span", "live-snippet");
        snippet.innerHTML = hit.snippet;  // escaped by the server; only <mark> added
        link.appendChild(head); link.appendChild(meta); link.appendChild(snippet);
        item.appendChild(link);
        if (hit.answer && hit.answer.text) { item.appendChild(answerCard(hit.answer)); }
        list.appendChild(item);
        items.push(item);
      });
      panel.appendChild(list);
      var more = "/search?" + new URLSearchParams({ q: query, sid: sidField.value }).toString();
      if (!data.results.length) {
        panel.appendChild(el("p", "muted live-empty", t("noResults", "No article matches.")));
        var help = el("a", "live-all", t("zeroHelp", "Suggestions, or tell the trainers") + " ›");
        help.href = more;
        panel.appendChild(help);
      } else {
        var all = el("a", "live-all", t("allResults", "All results") + " (" + data.total + ")");
        all.href = more;
        panel.appendChild(all);
      }
      open();
      remember();
    }

    // What the box is doing, for browser tests and the bench: idle | waiting | loading.
    function state(value) { form.dataset.state = value; }

    function cancel() {
      clearTimeout(timer);
      timer = null;
      if (controller) { controller.abort(); controller = null; }
      state("idle");
    }

    function fetchNow() {
      timer = null;
      var query = box.value;
      if (!query.trim() || composing) { return; }
      if (controller) { controller.abort(); }  // a newer query makes the older answer useless
      controller = new AbortController();
      var mine = ++sent;
      state("loading");
      panel.setAttribute("aria-busy", "true");
      var url = box.dataset.liveUrl + "?" + new URLSearchParams({ q: query, limit: LIMIT, sid: sidField.value }).toString();
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" }, signal: controller.signal })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) {
          if (mine !== sent) { return; }
          controller = null;
          panel.removeAttribute("aria-busy");
          state(timer === null ? "idle" : "waiting");
          if (!data) { return; }
          // "No match" only for the query the agent is looking at, not for one they are still
          // typing past (a timer pending) or composing.
          var settled = timer === null && !composing && box.value === query;
          if (!data.results.length && !settled) { return; }
          render(data, query);
        })
        .catch(function () {  // aborted, offline or navigating away: keep what is shown
          if (mine === sent && controller && !controller.signal.aborted) { controller = null; state("idle"); }
        });
    }

    function schedule() {
      cancel();
      if (!box.value.trim()) {
        sidField.value = "";
        shown = null;
        close();
        remember();
        return;
      }
      if (!sidField.value) { sidField.value = newSid(); }
      timer = setTimeout(fetchNow, DEBOUNCE_MS);
      state("waiting");
    }

    function go(item) { window.location.href = item.querySelector(".live-link").href; }

    box.addEventListener("compositionstart", function () { composing = true; cancel(); });
    box.addEventListener("compositionend", function () { composing = false; schedule(); });
    box.addEventListener("input", function (event) {
      if (composing || event.isComposing) { return; }
      schedule();
    });
    box.addEventListener("focus", function () {
      if (shown && shown.q === box.value) { open(); }
    });
    box.addEventListener("keydown", function (event) {
      if (composing || isComposingKey(event)) { return; }  // the input method's keys
      var key = event.key;
      if (key === "ArrowDown" || key === "ArrowUp") {
        event.preventDefault();
        if (!isOpen()) {
          if (shown && shown.q === box.value) { open(); } else if (box.value.trim()) { cancel(); fetchNow(); }
          return;
        }
        move(key === "ArrowDown" ? 1 : -1);
      } else if (key === "Escape") {
        event.preventDefault();  // the browser would empty a search input on Esc
        if (isOpen()) { close(); return; }
        if (box.value) { box.value = ""; schedule(); }
      } else if (key === "Enter") {
        if (!box.value.trim()) { event.preventDefault(); return; }
        if (isOpen() && active >= 0) { event.preventDefault(); go(items[active]); }
      }
    });
    form.addEventListener("submit", function (event) {
      if (!box.value.trim()) { event.preventDefault(); }
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) { close(); }
    });
    form.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !form.contains(event.relatedTarget)) { close(); }
    });

    // Back, forward and reload bring the query and its results back.
    var saved = history.state && history.state[stateKey];
    if (saved && saved.q && saved.data) {
      box.value = saved.q;
      sidField.value = saved.sid || "";
      render(saved.data, saved.q);
    }
    state("idle");
    form.dataset.ready = "1";  // lets browser tests and the bench wait for the script
    return { box: box };
  }

  var touch = window.matchMedia && window.matchMedia("(hover: none), (pointer: coarse)").matches;
  var boxes = [];
  document.querySelectorAll("form[data-live-search]").forEach(function (form) {
    var search = LiveSearch(form);
    var hint = search.box.dataset.keyHint;
    if (hint && !touch) { search.box.placeholder = hint; }  // "press /" only with a keyboard
    boxes.push(search.box);
  });
  // Agents land on the search box: the first thing they do on a call is type.
  var first = boxes.filter(function (b) { return b.hasAttribute("data-autofocus"); })[0];
  if (first && (document.activeElement === document.body || !document.activeElement)) {
    first.focus({ preventScroll: true });
  }
})();
