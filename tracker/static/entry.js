// Data entry, progressive enhancement only: without this file the "Add a dose step" button and
// the "Remove" boxes work through the server, and the server adds up PHQ-9 answers.
(function () {
  "use strict";
  const MAX_STEPS = 30;

  function times(select) {
    return select.value === "night" ? 1 : Number(select.value || 1);
  }

  function number(text) {
    return Number(String(text).trim().replace(",", "."));
  }

  // The daily total of one row: mg per dose x times a day, shown as it is typed.
  function showTotal(row) {
    const amount = row.querySelector("[data-amount]");
    const often = row.querySelector("[data-times]");
    const out = row.querySelector("[data-total]");
    if (!amount || !often || !out) return;
    const mg = number(amount.value);
    if (amount.value.trim() === "" || !(mg > 0)) {
      out.textContent = "";
      return;
    }
    const total = Math.round(mg * times(often) * 1000) / 1000;
    out.textContent = total + " mg/day";
    row.dispatchEvent(new CustomEvent("dose-total", { bubbles: true, detail: total }));
  }

  // Give a copied row the next free index: doses-3-start, doses-3-amount_mg ...
  function renumber(row, prefix, index) {
    const pattern = new RegExp("^" + prefix + "-\\d+-");
    const next = prefix + "-" + index + "-";
    row.querySelectorAll("[id], [name], [for]").forEach((el) => {
      ["id", "name", "for"].forEach((attr) => {
        const value = el.getAttribute(attr);
        if (value) el.setAttribute(attr, value.split(" ").map((v) => v.replace(pattern, next)).join(" "));
      });
    });
  }

  function blank(row) {
    row.classList.remove("has-error");
    row.querySelectorAll(".has-error").forEach((el) => el.classList.remove("has-error"));
    row.querySelectorAll(".error").forEach((el) => el.remove());
    row.querySelectorAll("[aria-invalid]").forEach((el) => {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    row.querySelectorAll("input").forEach((el) => {
      if (el.type === "checkbox") el.checked = false;
      else el.value = "";
    });
    row.querySelectorAll("select").forEach((el) => { el.selectedIndex = 0; });
    row.querySelectorAll("[data-total]").forEach((el) => { el.textContent = ""; });
    row.querySelectorAll("[data-only-server]").forEach((el) => el.remove());
  }

  function nextIndex(container, prefix) {
    let max = -1;
    const pattern = new RegExp("^" + prefix + "-(\\d+)-");
    container.querySelectorAll("[name]").forEach((el) => {
      const found = pattern.exec(el.name);
      if (found) max = Math.max(max, Number(found[1]));
    });
    return max + 1;
  }

  // Beside the "Remove" box (kept, hidden, for the server), a button that takes the row off
  // the page at once.
  function enhanceRemove(row, container) {
    const box = row.querySelector("[data-remove]");
    if (!box) return;
    const field = box.closest(".field");
    field.hidden = true;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.dataset.removeRow = "";
    button.textContent = "Remove step";
    button.addEventListener("click", () => {
      const others = [...container.querySelectorAll("[data-step]")].filter((r) => r !== row);
      const nearest = others.filter((r) => r.compareDocumentPosition(row) & Node.DOCUMENT_POSITION_FOLLOWING).pop() || others[0];
      if (others.length) row.remove();
      else blank(row);
      const input = (nearest || row).querySelector("input, select");
      if (input) input.focus();
    });
    field.after(button);
  }

  function enhance(container) {
    const prefix = container.dataset.prefix || "doses";
    const addButton = container.querySelector("[data-add-step]");
    container.querySelectorAll("[data-step]").forEach((row) => {
      enhanceRemove(row, container);
      showTotal(row);
    });
    container.addEventListener("input", (event) => {
      const row = event.target.closest("[data-step]");
      if (row) showTotal(row);
    });
    container.addEventListener("change", (event) => {
      const row = event.target.closest("[data-step]");
      if (row) showTotal(row);
    });
    if (!addButton) return;
    addButton.addEventListener("click", (event) => {
      const rows = container.querySelectorAll("[data-step]");
      if (rows.length >= MAX_STEPS) return; // the server says why
      event.preventDefault();
      const last = rows[rows.length - 1];
      const row = last.cloneNode(true);
      row.querySelectorAll("button[data-remove-row]").forEach((b) => b.remove());
      renumber(row, prefix, nextIndex(container, prefix));
      blank(row);
      last.after(row);
      enhanceRemove(row, container);
      const first = row.querySelector("input, select");
      if (first) first.focus();
    });
  }

  // PHQ-9 answers make the total: fill the score in as the ninth answer is chosen. They belong
  // to a PHQ-9 only: with another instrument chosen they are hidden, not sent, and never
  // overwrite the total typed for it.
  function enhancePhq9(fieldset) {
    const form = fieldset.closest("form, [data-row]");
    const score = form.querySelector("[data-score], input[name$='score']");
    const instrument = form.querySelector("select[name$='instrument']");
    const box = fieldset.closest("details") || fieldset;
    const isPhq9 = () => !instrument || instrument.value === "PHQ-9";
    const follow = () => {
      box.hidden = !isPhq9();
      fieldset.disabled = !isPhq9();
    };
    if (instrument) {
      instrument.addEventListener("change", follow);
      follow();
    }
    fieldset.addEventListener("change", () => {
      const answers = [...fieldset.querySelectorAll("[data-item]")].map((s) => s.value);
      if (isPhq9() && score && answers.every((v) => v !== "")) {
        score.value = answers.reduce((sum, v) => sum + Number(v), 0);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("[data-steps]").forEach(enhance);
    document.querySelectorAll("[data-phq9]").forEach(enhancePhq9);
  });

  window.trdDoses = { enhance: enhance, showTotal: showTotal, enhancePhq9: enhancePhq9 };
})();
