// Drafts kept in this browser (localStorage) while an article is edited, so that nothing typed
// is lost when a save is refused before the server reads it (too large, network down) or the
// tab closes. One draft per editor address; it is dropped once the page shows the same text
// (after a successful save), and offered back when the page shows something else.
(function () {
  "use strict";
  var form = document.querySelector("form[data-editor][data-draft-key]");
  if (!form || !window.localStorage) { return; }
  var KEY = "kb-draft:" + form.dataset.draftKey;
  var FIELDS = ["title", "slug", "category", "language", "tags", "owner", "review_by", "summary",
                "answer", "body", "note", "base_revision_id"];
  var SAVE_DELAY_MS = 1000;
  var statusEl = document.getElementById("editor-status");

  function values() {
    var out = {};
    FIELDS.forEach(function (name) {
      var el = form.elements[name];
      if (el) { out[name] = el.value; }
    });
    return out;
  }
  function sameText(a, b) {
    return FIELDS.every(function (name) {
      return name === "base_revision_id" || name === "note" || (a[name] || "") === (b[name] || "");
    });
  }
  function read() {
    try { return JSON.parse(localStorage.getItem(KEY) || "null"); } catch (e) { return null; }
  }
  function store() {
    try {
      localStorage.setItem(KEY, JSON.stringify({at: new Date().toISOString(), values: values()}));
      form.dataset.draftStored = "1";
    } catch (e) {  // over the browser's quota (about 5 MB)
      localStorage.removeItem(KEY);
      if (statusEl) { statusEl.textContent = form.dataset.msgDraftFull; }
    }
  }
  function restore(draft) {
    Object.keys(draft.values).forEach(function (name) {
      var el = form.elements[name];
      if (el) { el.value = draft.values[name]; }
    });
    // The preview and the answer card follow their fields (the title's input event is not
    // sent: it would make slug.js replace the restored address).
    ["body", "answer"].forEach(function (name) {
      var el = form.elements[name];
      if (el) { el.dispatchEvent(new Event("input", {bubbles: true})); }
    });
  }
  function offer(draft) {
    var box = document.createElement("div");
    box.className = "flash info draft-offer";
    box.id = "draft-offer";
    box.setAttribute("role", "status");
    var when = new Date(draft.at).toLocaleString();
    var text = document.createElement("span");
    text.textContent = form.dataset.msgDraftFound.replace("{when}", when) + " ";
    var restoreButton = document.createElement("button");
    restoreButton.type = "button";
    restoreButton.className = "primary";
    restoreButton.id = "draft-restore";
    restoreButton.textContent = form.dataset.msgDraftRestore;
    var discardButton = document.createElement("button");
    discardButton.type = "button";
    discardButton.id = "draft-discard";
    discardButton.textContent = form.dataset.msgDraftDiscard;
    box.append(text, restoreButton, " ", discardButton);
    form.parentNode.insertBefore(box, form);
    restoreButton.addEventListener("click", function () { restore(draft); box.remove(); });
    discardButton.addEventListener("click", function () { localStorage.removeItem(KEY); box.remove(); });
    restoreButton.focus();
  }

  var kept = read();
  if (kept && kept.values) {
    if (sameText(kept.values, values())) { localStorage.removeItem(KEY); } else { offer(kept); }
  }
  var timer = null;
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(store, SAVE_DELAY_MS);
  });
  form.addEventListener("submit", function () { clearTimeout(timer); store(); });
})();
