// The article page: land on the answer (the section that best matched the search, marked and
// scrolled to under the sticky header), the query highlighted, a Copy button per section that
// keeps list numbers and table structure, and Copy on answer cards. No dependencies.
(function () {
  "use strict";
  var body = document.getElementById("article-body");
  if (!body) { return; }
  var i18n = {};
  try { i18n = JSON.parse(document.getElementById("search-i18n").textContent); } catch (e) { /* defaults */ }
  function t(key, fallback) { return i18n[key] || fallback; }
  var HEADING = /^H[1-6]$/;
  var UI = ".copy-section, .copy-answer, .best-label, .kb-ui";

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // ---- highlight the query -----------------------------------------------------------------
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

  // ---- sections ----------------------------------------------------------------------------
  /** The elements after ``heading`` up to the next heading of the same or a higher level. */
  function sectionNodes(heading) {
    var level = Number(heading.tagName.slice(1));
    var nodes = [];
    for (var node = heading.nextElementSibling; node; node = node.nextElementSibling) {
      if (HEADING.test(node.tagName) && Number(node.tagName.slice(1)) <= level) { break; }
      nodes.push(node);
    }
    return nodes;
  }

  function markBestSection(heading) {
    heading.classList.add("best-section-head");
    sectionNodes(heading).forEach(function (node) { node.classList.add("best-section"); });
    heading.appendChild(el("span", "best-label kb-ui", t("bestMatch", "Best match for your search")));
  }

  // ---- copy as plain text: numbers kept, tables tab-separated --------------------------------
  function inline(node) {
    if (node.nodeType === 3) { return node.nodeValue; }
    var clone = node.cloneNode(true);
    clone.querySelectorAll(UI).forEach(function (n) { n.remove(); });
    return clone.textContent;
  }

  function squash(text) { return text.replace(/\s+/g, " ").trim(); }

  function listText(list, indent) {
    var ordered = list.tagName === "OL";
    var n = ordered ? Number(list.getAttribute("start") || 1) : 0;
    var lines = [];
    Array.prototype.forEach.call(list.children, function (li) {
      if (li.tagName !== "LI") { return; }
      var own = [], nested = [];
      li.childNodes.forEach(function (child) {
        if (child.nodeType === 1 && (child.tagName === "OL" || child.tagName === "UL")) {
          nested.push(listText(child, indent + "   "));
        } else { own.push(inline(child)); }
      });
      lines.push(indent + (ordered ? (n++) + ". " : "- ") + squash(own.join(" ")));
      lines.push.apply(lines, nested);
    });
    return lines.join("\n");
  }

  function tableText(table) {
    return Array.prototype.map.call(table.querySelectorAll("tr"), function (row) {
      return Array.prototype.map.call(row.children, function (cell) { return squash(inline(cell)); }).join("\t");
    }).join("\n");
  }

  function blockText(node) {
    var tag = node.tagName;
    if (tag === "OL" || tag === "UL") { return listText(node, ""); }
    if (tag === "TABLE") { return tableText(node); }
    if (tag === "PRE") { return node.textContent.replace(/\s+$/, ""); }
    if (tag === "DL") {
      return Array.prototype.map.call(node.children, function (c) {
        return (c.tagName === "DD" ? "  " : "") + squash(inline(c));
      }).join("\n");
    }
    if (tag === "BLOCKQUOTE") {
      return childBlocks(node).split("\n").map(function (line) { return "> " + line; }).join("\n");
    }
    if (tag === "DIV" || tag === "DETAILS" || tag === "SECTION") { return childBlocks(node); }
    return squash(inline(node));
  }

  function childBlocks(node) {
    return Array.prototype.map.call(node.children, blockText).filter(Boolean).join("\n");
  }

  function sectionText(heading) {
    var parts = [squash(inline(heading))];
    sectionNodes(heading).forEach(function (node) { parts.push(blockText(node)); });
    return parts.filter(Boolean).join("\n\n");
  }

  function answerText(card) {
    var parts = [];
    Array.prototype.forEach.call(card.children, function (child) {
      if (!child.classList.contains("admonition-title") && !child.matches(UI)) { parts.push(blockText(child)); }
    });
    return parts.filter(Boolean).join("\n");
  }

  function copyButton(cls, text) {
    var button = el("button", cls + " kb-ui linklike", t("copy", "Copy"));
    button.type = "button";
    button.addEventListener("click", function () {
      window.kb.copy(text()).then(function () { window.kb.flash(button, t("copied", "Copied"), t("copy", "Copy")); });
    });
    return button;
  }

  body.querySelectorAll("h2, h3").forEach(function (heading) {
    heading.appendChild(copyButton("copy-section", function () { return sectionText(heading); }));
  });
  body.querySelectorAll(".admonition.answer").forEach(function (card) {
    card.appendChild(copyButton("copy-answer", function () { return answerText(card); }));
  });
  window.kb.sectionNodes = sectionNodes;
  window.kb.blockText = blockText;

  // ---- land on the answer -------------------------------------------------------------------
  var params = new URLSearchParams(window.location.search);
  var words = (params.get("hl") || "").split("\n");
  if (!params.get("hl") && params.get("q")) { words = params.get("q").split(/\s+/); }
  var first = highlight(words);
  var target = null;
  if (window.location.hash.length > 1) {
    try { target = document.getElementById(decodeURIComponent(window.location.hash.slice(1))); } catch (e) { target = null; }
  }
  if (target && body.contains(target) && HEADING.test(target.tagName) && params.get("q")) {
    markBestSection(target);
  }
  if (target) {
    target.scrollIntoView({ block: "start" });  // again: highlighting may have moved it
  } else if (first) {
    first.scrollIntoView({ block: "center" });
  }
  body.dataset.ready = "1";
})();
