// Add a score from the chart without leaving it (progressive enhancement: without this file the
// form posts and the chart comes back). The chart returned after saving replaces this one's
// content; a form with problems replaces the inline form, typed values and errors included.
(function () {
  "use strict";

  function bind(root, swapped) {
    if (swapped) { // app.js and entry.js bound the page's first content only
      root.querySelectorAll("select[data-autosubmit]").forEach((select) => {
        select.addEventListener("change", () => select.form.submit());
      });
      root.querySelectorAll("[data-phq9]").forEach((f) => window.trdDoses.enhancePhq9(f));
    }
    root.querySelectorAll("form[data-inline-score]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        send(form);
      });
    });
  }

  async function send(form) {
    const button = form.querySelector("button[type=submit]");
    if (button) button.disabled = true;
    let response;
    try {
      response = await fetch(form.action, { method: "POST", body: new FormData(form),
                                            credentials: "same-origin" });
    } catch (error) {
      form.submit(); // the network failed: let the browser post it and show what happens
      return;
    }
    const page = new DOMParser().parseFromString(await response.text(), "text/html");
    const main = document.querySelector("main");
    if (response.ok && !response.url.includes("/measurements/new")) {
      main.innerHTML = page.querySelector("main").innerHTML;
      bind(main, true);
      const added = main.querySelector("#scores");
      if (added) added.scrollIntoView({ block: "nearest" });
      const first = main.querySelector("form[data-inline-score] input:not([type=hidden])");
      if (first) first.focus();
      return;
    }
    const returned = page.querySelector("main form");
    if (!returned) { form.submit(); return; }
    form.innerHTML = returned.innerHTML;
    form.querySelectorAll("[data-phq9]").forEach((f) => window.trdDoses.enhancePhq9(f));
    const invalid = form.querySelector("[aria-invalid=true], [autofocus]");
    if (invalid) invalid.focus();
  }

  document.addEventListener("DOMContentLoaded", () => bind(document, false));
})();
