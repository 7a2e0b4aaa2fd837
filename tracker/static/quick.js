// Quick entry, progressive enhancement only: without this file the "Add a ..." buttons add a
// row through the server. With it, rows are added on the page and Alt+N moves to the next row.
(function () {
  "use strict";

  function renumber(row, prefix, index) {
    const pattern = new RegExp("^" + prefix + "-\\d+-");
    const next = prefix + "-" + index + "-";
    row.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach((el) => {
      ["id", "name", "for", "aria-describedby"].forEach((attr) => {
        const value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.replace(pattern, next));
      });
    });
  }

  function blank(row) {
    row.classList.remove("has-error");
    row.querySelectorAll(".has-error").forEach((el) => el.classList.remove("has-error"));
    row.querySelectorAll(".error, .warning, label.check").forEach((el) => el.remove());
    row.removeAttribute("aria-describedby");
    row.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    row.querySelectorAll("[autofocus]").forEach((el) => el.removeAttribute("autofocus"));
    row.querySelectorAll("input").forEach((el) => {
      if (el.type === "checkbox") el.checked = false;
      else el.value = "";
    });
    row.querySelectorAll("select").forEach((el) => {
      const preset = [...el.options].find((o) => o.defaultSelected);
      el.value = preset ? preset.value : el.options[0].value;
    });
  }

  function nextIndex(section, prefix) {
    let max = -1;
    const pattern = new RegExp("^" + prefix + "-(\\d+)-");
    section.querySelectorAll("[name]").forEach((el) => {
      const found = pattern.exec(el.name);
      if (found) max = Math.max(max, Number(found[1]));
    });
    return max + 1;
  }

  function addRow(section) {
    const rows = section.querySelectorAll("[data-row]");
    const last = rows[rows.length - 1];
    const row = last.cloneNode(true);
    const index = nextIndex(section, section.dataset.prefix);
    renumber(row, section.dataset.prefix, index);
    blank(row);
    row.setAttribute("aria-label", row.getAttribute("aria-label").replace(/\d+$/, String(index + 1)));
    last.after(row);
    return row;
  }

  function focusRow(row) {
    const first = row.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  }

  function answersToScore(row) {
    const answers = row.querySelector("input[name$='-answers']");
    const score = row.querySelector("input[name$='-score']");
    if (!answers || !score) return;
    const digits = answers.value.replace(/[\s,]/g, "");
    if (/^[0-3]{9}$/.test(digits)) {
      score.value = [...digits].reduce((sum, d) => sum + Number(d), 0);
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("quick-form");
    if (!form) return;
    form.querySelectorAll("[data-rows]").forEach((section) => {
      const button = section.querySelector("[data-add-row]");
      button.addEventListener("click", (event) => {
        event.preventDefault();
        focusRow(addRow(section));
      });
    });
    form.addEventListener("input", (event) => {
      const row = event.target.closest("[data-row]");
      if (row && event.target.name && event.target.name.endsWith("-answers")) answersToScore(row);
    });
    // Alt+N: the next row of this section, a new one after the last.
    form.addEventListener("keydown", (event) => {
      if (!(event.altKey && (event.key === "n" || event.key === "N" || event.code === "KeyN"))) return;
      const row = event.target.closest("[data-row]");
      if (!row) return;
      event.preventDefault();
      const section = row.closest("[data-rows]");
      let next = row.nextElementSibling;
      if (!next || !next.matches("[data-row]")) next = addRow(section);
      focusRow(next);
    });
  });
})();
