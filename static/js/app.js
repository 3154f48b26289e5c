// kb_portal front-end basics: keyboard shortcuts, the phone menu, and window.kb (clipboard
// helpers shared by the feature scripts that live beside this file).
(function () {
  "use strict";
  function isTyping(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function visible(el) { return el && el.offsetParent !== null; }

  /** Put ``text`` on the clipboard; resolves when done. */
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) { return navigator.clipboard.writeText(text); }
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed"; area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } finally { document.body.removeChild(area); }
    return Promise.resolve();
  }

  /** Show ``done`` on a button for a moment, then ``label`` again. */
  function flash(button, done, label) {
    button.textContent = done;
    button.classList.add("done");
    setTimeout(function () { button.textContent = label; button.classList.remove("done"); }, 1500);
  }

  window.kb = { copy: copy, flash: flash, isTyping: isTyping };

  // Buttons that copy a fixed text (answer cards rendered by the server).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-copy-text]");
    if (!button) { return; }
    var label = button.textContent;
    copy(button.dataset.copyText).then(function () { flash(button, button.dataset.copied || "✓", label); });
  });

  document.addEventListener("keydown", function (event) {
    // "/" focuses the page's main search box from anywhere, as in most search-first tools.
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !isTyping(document.activeElement)) {
      var main = document.querySelector("input[data-autofocus]");
      var box = visible(main) ? main : document.getElementById("search-box");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });

  // Anchored headings scroll to just below the sticky header, whatever its height (CSS reads it).
  var topbar = document.querySelector(".topbar");
  function measureHeader() {
    if (topbar) { document.documentElement.style.setProperty("--header-h", topbar.offsetHeight + "px"); }
  }
  measureHeader();
  window.addEventListener("resize", measureHeader);

  // The phone menu: the navigation collapses under a button below 900 px.
  var toggle = document.getElementById("menu-toggle");
  var nav = document.getElementById("mainnav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var expanded = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", expanded ? "false" : "true");
      nav.classList.toggle("open", !expanded);
      if (!expanded) { var first = nav.querySelector("a, button"); if (first) { first.focus(); } }
    });
    nav.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && nav.classList.contains("open")) {
        toggle.setAttribute("aria-expanded", "false");
        nav.classList.remove("open");
        toggle.focus();
      }
    });
  }
})();
