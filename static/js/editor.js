// The article editor: live preview (server-rendered, debounced), Ctrl+S, Tab indentation,
// a formatting toolbar, uploads (button, paste, drop) and a warning before losing changes.
// Plain DOM, no dependencies: the preview comes from the same renderer as the article page.
(function () {
  "use strict";
  var form = document.querySelector("form[data-editor]");
  if (!form) { return; }
  var text = form.querySelector("textarea[name=body]");
  var preview = document.getElementById("preview");
  var brokenBox = document.getElementById("preview-broken");
  var statusEl = document.getElementById("editor-status");
  var csrf = (document.querySelector("meta[name=csrf-token]") || {}).content || "";
  var PREVIEW_DELAY_MS = 350;

  // ---- unsaved changes -------------------------------------------------------------------
  function snapshot() { return new URLSearchParams(new FormData(form)).toString(); }
  // On the conflict page nothing in the form is saved yet, whatever it contains.
  var saved = form.dataset.unsaved ? "" : snapshot();
  var submitting = false;
  function isDirty() { return !submitting && snapshot() !== saved; }
  window.addEventListener("beforeunload", function (event) {
    if (isDirty()) { event.preventDefault(); event.returnValue = form.dataset.msgUnsaved; }
  });
  form.addEventListener("submit", function () { submitting = true; });
  form.dataset.ready = "1";  // lets browser tests wait for the script

  // ---- preview -----------------------------------------------------------------------------
  // One request at a time: a big article takes the server a second or more to render, and
  // previews queued behind each other would only pile up. A change made meanwhile is previewed
  // when the answer arrives; the server's refusal (too large, too slow) is shown as it says.
  var timer = null, sequence = 0, inFlight = false, again = false;
  function renderPreview() {
    if (inFlight) { again = true; return; }
    inFlight = true;
    again = false;
    var mine = ++sequence;
    var body = new FormData();
    body.append("body", text.value);
    body.append("csrf_token", csrf);
    fetch(form.dataset.previewUrl, {method: "POST", body: body, credentials: "same-origin",
                                    headers: {"X-CSRFToken": csrf}})
      .then(function (r) {
        return r.json().catch(function () { throw new Error(r.status); })
          .then(function (data) { if (!r.ok && !data.error) { throw new Error(r.status); } return data; });
      })
      .then(function (data) {
        if (data.error) {
          preview.dataset.error = data.reason || "error";
          status(data.error);
          return;
        }
        delete preview.dataset.error;
        status("");
        preview.innerHTML = data.html;  // sanitised on the server by the article renderer
        preview.dataset.rendered = String(mine);
        if (brokenBox) {
          brokenBox.hidden = !data.broken.length;
          brokenBox.querySelector("span").textContent = data.broken.join(", ");
        }
      })
      .catch(function () { status(form.dataset.msgPreviewFailed); })
      .then(function () {
        inFlight = false;
        if (again) { renderPreview(); }
      });
  }
  function schedulePreview() { clearTimeout(timer); timer = setTimeout(renderPreview, PREVIEW_DELAY_MS); }
  text.addEventListener("input", schedulePreview);
  renderPreview();

  // The article's answer card (front matter "answer:") above the preview, as agents see it.
  var answerField = form.querySelector("textarea[name=answer]");
  var answerCard = document.getElementById("preview-answer");
  function showAnswer() {
    var value = answerField.value.trim();
    answerCard.hidden = !value;
    answerCard.querySelector(".answer-text").textContent = value;
  }
  if (answerField && answerCard) { answerField.addEventListener("input", showAnswer); showAnswer(); }

  function status(message) { if (statusEl) { statusEl.textContent = message || ""; } }

  // ---- editing helpers ---------------------------------------------------------------------
  function insert(value, selectFrom, selectTo) {
    text.focus();
    var start = text.selectionStart;
    // execCommand keeps the browser's undo history; setRangeText is the fallback.
    if (!document.execCommand || !document.execCommand("insertText", false, value)) {
      text.setRangeText(value, text.selectionStart, text.selectionEnd, "end");
      text.dispatchEvent(new Event("input", {bubbles: true}));
    }
    if (selectFrom !== undefined) {
      text.setSelectionRange(start + selectFrom, start + (selectTo === undefined ? selectFrom : selectTo));
    }
  }
  function selected() { return text.value.slice(text.selectionStart, text.selectionEnd); }
  function wrap(before, after, placeholder) {
    var inner = selected() || placeholder;
    insert(before + inner + after, before.length, before.length + inner.length);
  }
  function linePrefix(prefix) {
    var start = text.value.lastIndexOf("\n", text.selectionStart - 1) + 1;
    text.setSelectionRange(start, text.selectionEnd);
    var lines = selected().split("\n").map(function (l, i) {
      return (typeof prefix === "function" ? prefix(i) : prefix) + l;
    });
    insert(lines.join("\n"));
  }
  var actions = {
    bold: function () { wrap("**", "**", "text"); },
    italic: function () { wrap("*", "*", "text"); },
    code: function () { selected().indexOf("\n") >= 0 ? wrap("```\n", "\n```", "") : wrap("`", "`", "code"); },
    heading: function () { linePrefix("## "); },
    ul: function () { linePrefix("- "); },
    ol: function () { linePrefix(function (i) { return (i + 1) + ". "; }); },
    link: function () { wrap("[", "](article-slug#heading)", selected() || "text"); },
    table: function () { insert("\n| A | B |\n|---|---|\n|   |   |\n"); },
    note: function () { insert('\n!!! warning "Note"\n    ' + (selected() || "text") + "\n"); }
  };
  form.querySelectorAll("[data-md]").forEach(function (button) {
    button.addEventListener("click", function () { actions[button.dataset.md](); });
  });

  // ---- keyboard ----------------------------------------------------------------------------
  var tabLeaves = false;  // after Esc, Tab moves focus as usual (no keyboard trap)
  text.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { tabLeaves = true; return; }
    if (event.key === "Tab" && !tabLeaves && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      var start = text.value.lastIndexOf("\n", text.selectionStart - 1) + 1;
      if (text.selectionStart === text.selectionEnd && !event.shiftKey) { insert("  "); return; }
      text.setSelectionRange(start, text.selectionEnd);
      var lines = selected().split("\n").map(function (l) {
        return event.shiftKey ? l.replace(/^ {1,2}/, "") : "  " + l;
      });
      insert(lines.join("\n"), 0, lines.join("\n").length);
      return;
    }
    tabLeaves = false;
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey) {
      if (event.key === "b") { event.preventDefault(); actions.bold(); }
      if (event.key === "i") { event.preventDefault(); actions.italic(); }
    }
  });
  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "s" || event.key === "S")) {
      event.preventDefault();
      var save = form.querySelector("button[name=save]");
      if (form.requestSubmit) { form.requestSubmit(save); } else { save.click(); }
    }
  });

  // ---- uploads -----------------------------------------------------------------------------
  function upload(file) {
    var body = new FormData();
    body.append("file", file);
    body.append("article", form.dataset.article || "");
    body.append("csrf_token", csrf);
    status(form.dataset.msgUploading + " " + file.name);
    return fetch(form.dataset.uploadUrl, {method: "POST", body: body, credentials: "same-origin",
                                          headers: {"X-CSRFToken": csrf}})
      .then(function (r) {
        return r.json().catch(function () { return {error: r.status === 413 ? "413" : String(r.status)}; });
      })
      .then(function (data) {
        if (data.error) { status(form.dataset.msgUploadFailed + ": " + data.error); return; }
        status("");
        insert((data.image ? "\n" : "") + data.markdown + (data.image ? "\n" : ""));
      })
      .catch(function () { status(form.dataset.msgUploadFailed); });
  }
  var picker = document.getElementById("editor-upload");
  if (picker) {
    picker.addEventListener("change", function () {
      Array.prototype.forEach.call(picker.files, upload);
      picker.value = "";
    });
  }
  text.addEventListener("paste", function (event) {
    var files = event.clipboardData && event.clipboardData.files;
    if (files && files.length) { event.preventDefault(); Array.prototype.forEach.call(files, upload); }
  });
  text.addEventListener("dragover", function (event) { event.preventDefault(); });
  text.addEventListener("drop", function (event) {
    var files = event.dataTransfer && event.dataTransfer.files;
    if (files && files.length) { event.preventDefault(); Array.prototype.forEach.call(files, upload); }
  });

  // ---- conflict page: take one side's full text ----------------------------------------------
  document.querySelectorAll("[data-fill-from]").forEach(function (button) {
    button.addEventListener("click", function () {
      text.value = document.getElementById(button.dataset.fillFrom).value;
      text.dispatchEvent(new Event("input", {bubbles: true}));
      text.focus();
    });
  });
})();
