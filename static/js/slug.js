// The article address (slug) in the editor: made from the title as the trainer types (the
// server turns Chinese into pinyin and picks a free address), checked as the trainer edits it.
// A new article's address follows the title until the trainer types one; an existing
// article's address never changes by itself. Without JavaScript the server fills an empty one.
(function () {
  "use strict";
  var slug = document.querySelector("input[data-slug-url]");
  var title = document.querySelector("form[data-editor] input[name=title]");
  if (!slug || !title) { return; }
  var statusEl = document.getElementById("slug-status");
  var form = slug.form;
  var DELAY_MS = 250;
  var timer = null, sequence = 0;

  function ask(params, apply) {
    var mine = ++sequence;
    if (form.dataset.article) { params.set("article", form.dataset.article); }
    fetch(slug.dataset.slugUrl + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) { if (mine === sequence) { apply(data); } })
      .catch(function () { /* the server checks again on save */ });
  }
  function show(data) {
    statusEl.textContent = data.message || "";
    statusEl.classList.toggle("field-error", Boolean(data.problem));
    slug.setAttribute("aria-invalid", data.problem ? "true" : "false");
  }
  function later(fn) { clearTimeout(timer); timer = setTimeout(fn, DELAY_MS); }

  title.addEventListener("input", function () {
    if (slug.dataset.auto !== "1") { return; }
    later(function () {
      ask(new URLSearchParams({title: title.value}), function (data) {
        if (slug.dataset.auto !== "1") { return; }  // the trainer typed an address meanwhile
        slug.value = data.slug;
        slug.dispatchEvent(new Event("change", {bubbles: true}));
        statusEl.textContent = "";
        slug.dataset.filled = data.slug;  // lets browser tests wait for it
      });
    });
  });
  slug.addEventListener("input", function () {
    slug.dataset.auto = slug.value.trim() ? "0" : (form.dataset.article ? "0" : "1");
    if (!slug.value.trim()) { show({message: "", problem: null}); return; }
    later(function () { ask(new URLSearchParams({slug: slug.value.trim()}), show); });
  });
})();
