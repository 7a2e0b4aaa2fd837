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
    row.querySelectorAll("[data-doses-preview]").forEach((el) => { el.textContent = ""; });
    row.setAttribute("aria-label", row.getAttribute("aria-label").replace(/\d+$/, String(index + 1)));
    last.after(row);
    return row;
  }

  function focusRow(row) {
    const first = row.querySelector("input:not([type=hidden]), select");
    if (first) first.focus();
  }

  // The daily totals of the typed dose steps, read as the server reads them (dose_text.py).
  const FREQUENCIES = { "": 1, "once daily": 1, "daily": 1, "qd": 1, "od": 1, "at night": 1,
    "nightly": 1, "qhs": 1, "nocte": 1, "twice daily": 2, "bid": 2, "bd": 2,
    "three times daily": 3, "tid": 3, "tds": 3, "four times daily": 4, "qid": 4, "qds": 4 };
  for (let n = 1; n <= 6; n++) { FREQUENCIES["x" + n] = n; FREQUENCIES[n + "x"] = n; }
  const STEP = /^(\d+(?:\.\d+)?)\s*(?:mg\b)?\s*(.*?)\s*(?:from\s+)?(\d{4}-\d{2}-\d{2})$/i;

  function previewDoses(row) {
    const input = row.querySelector("input[name$='-doses']");
    const out = row.querySelector("[data-doses-preview]");
    if (!input || !out) return;
    const parts = input.value.split(/[;,]/).map((p) => p.trim().replace(/\s+/g, " ")).filter(Boolean);
    out.textContent = parts.map((part, i) => {
      const found = STEP.exec(part);
      const times = found ? FREQUENCIES[found[2].toLowerCase()] : undefined;
      if (!found || times === undefined) return "step " + (i + 1) + ": not read yet";
      const total = Math.round(Number(found[1]) * times * 1000) / 1000;
      return total + " mg/day from " + found[3];
    }).join(" · ");
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
    form.querySelectorAll("[data-row]").forEach(previewDoses);
    form.addEventListener("input", (event) => {
      const row = event.target.closest("[data-row]");
      if (row && event.target.name && event.target.name.endsWith("-answers")) answersToScore(row);
      if (row && event.target.name && event.target.name.endsWith("-doses")) previewDoses(row);
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
