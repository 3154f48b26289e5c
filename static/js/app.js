// kb_portal front-end basics: keyboard shortcuts. Feature scripts live beside this file.
(function () {
  "use strict";
  function isTyping(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (event) {
    // "/" focuses the search box from anywhere, as in most search-first tools.
    if (event.key === "/" && !event.ctrlKey && !event.metaKey && !isTyping(document.activeElement)) {
      var box = document.getElementById("search-box");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });
})();
