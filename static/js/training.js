// Quiz attempts: save answers as the new hire goes, count down the time, submit at zero.
// Everything also works without this script: the submit button posts the whole form.
(function () {
  "use strict";
  var form = document.getElementById("attempt-form");
  if (!form) { return; }
  var status = document.getElementById("save-status");
  var token = document.querySelector("meta[name=csrf-token]").content;
  var timerId = null;
  var submitting = false;

  function fields() {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token") { pairs.push([name, String(value)]); }
    });
    return pairs;
  }

  function show(key) { if (status) { status.textContent = status.dataset[key]; } }

  function save() {
    show("saving");
    return fetch(form.dataset.saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ fields: fields() })
    }).then(function (response) {
      if (response.status === 409) {
        // Submitted elsewhere or time is up: the server has graded; show the result.
        return response.json().then(function (data) { window.location = data.result_url; });
      }
      show(response.ok ? "saved" : "failed");
    }).catch(function () { show("failed"); });
  }

  function scheduleSave() {
    window.clearTimeout(timerId);
    timerId = window.setTimeout(save, 500);
  }

  form.addEventListener("change", scheduleSave);
  form.addEventListener("input", function (event) {
    if (event.target.type === "text") { scheduleSave(); }
  });
  function blankNumbers() {
    var numbers = [];
    form.querySelectorAll("fieldset.question").forEach(function (fieldset, index) {
      var answered = Array.prototype.some.call(fieldset.querySelectorAll("input, select"),
        function (input) {
          if (input.type === "radio" || input.type === "checkbox") { return input.checked; }
          return input.value.trim() !== "";
        });
      if (!answered) { numbers.push(index + 1); }
    });
    return numbers;
  }

  form.addEventListener("submit", function (event) {
    // A second click would be harmless (the server grades once) but is pointless.
    if (submitting) { event.preventDefault(); return; }
    var confirmed = event.submitter && event.submitter.id === "submit-anyway";
    var blanks = blankNumbers();
    if (blanks.length && !confirmed && !form.dataset.timeUp) {
      event.preventDefault();
      var warning = document.getElementById("blank-warning");
      document.getElementById("blank-warning-text").textContent =
        warning.dataset.template.replace("__N__", blanks.join(", "));
      warning.hidden = false;
      document.getElementById("submit-anyway").focus();
      return;
    }
    submitting = true;
    var button = document.getElementById("submit-attempt");
    if (button) { button.disabled = true; }
  });

  var timer = document.getElementById("timer");
  if (timer) {
    var end = Date.now() + Number(timer.dataset.remaining) * 1000;
    var tick = function () {
      var left = Math.max(0, Math.round((end - Date.now()) / 1000));
      timer.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
      if (left === 0) {
        window.clearInterval(interval);
        if (!submitting) {
          // Time is up: the server grades what was saved; no question about blanks.
          form.dataset.timeUp = "1";
          document.getElementById("confirm-blanks").value = "1";
          submitting = true;
          form.submit();
        }
      }
    };
    var interval = window.setInterval(tick, 1000);
  }
})();
