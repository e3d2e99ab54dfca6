// The monthly sheet: keyboard-only entry and autosave per row. No inline scripts (strict CSP).
//
// Each row (<tr class="sheet-row">) posts itself with htmx when one of its inputs changes and is replaced by
// the server's answer. Tab moves through the inputs as usual; Enter moves to the same input of the next row
// (Shift+Enter: the previous row), which makes the row just left save itself.
//
// Saves go one at a time. An officer keeps typing while a row is being saved: whatever changed in the row after
// its request left would be lost when the answer replaces the row, so it is carried over into the new row and
// saved in turn.
(() => {
  "use strict";

  const ROW = "tr.sheet-row";
  const INPUT = "input.sheet-input";
  const sent = new WeakMap(); // row element → {input name: value} it posted
  const carried = new Map(); // row id → {input name: value} typed while the row was being saved

  const rowOf = (element) => (element instanceof Element ? element.closest(ROW) : null);
  const isRow = (element) => element instanceof Element && element.matches(ROW);
  // A row is live once htmx processed it (its listeners are attached) and it has no request on the way.
  const isLive = (row) => !row.classList.contains("htmx-added") && !row.classList.contains("htmx-request");

  function values(row) {
    const result = {};
    row.querySelectorAll(INPUT).forEach((input) => {
      result[input.name] = input.value;
    });
    return result;
  }

  function save(row) {
    if (isLive(row)) window.htmx.trigger(row, "change");
  }

  function sameColumn(row, column, step) {
    let other = row;
    do {
      other = step > 0 ? other.nextElementSibling : other.previousElementSibling;
    } while (other && !isRow(other));
    return other ? other.querySelector(`${INPUT}[data-col="${CSS.escape(column)}"]`) : null;
  }

  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (event.key !== "Enter" || event.isComposing || !(input instanceof HTMLInputElement) || !input.matches(INPUT)) return;
    event.preventDefault();
    const row = rowOf(input);
    const next = sameColumn(row, input.dataset.col, event.shiftKey ? -1 : 1);
    if (next) {
      next.focus(); // leaving a changed input fires "change": its row saves itself
    } else if (input.value !== input.defaultValue || input.dataset.pending) {
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // Entering a field selects it, as in a spreadsheet: typing replaces the prefilled full marks.
  document.addEventListener("focusin", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.matches(INPUT)) input.select();
  });

  document.addEventListener("input", (event) => {
    const row = rowOf(event.target);
    if (row) row.classList.add("is-dirty");
  });

  // htmx's own listener on the row runs first; a change it could not send (the row was being saved, or was
  // not processed yet) stays pending and is sent once the row is live again.
  document.addEventListener("change", (event) => {
    const input = event.target;
    const row = rowOf(input);
    if (!row || !input.matches(INPUT)) return;
    const posted = sent.get(row);
    if (!posted || posted[input.name] !== input.value) input.dataset.pending = "1";
  });

  document.addEventListener("focusout", (event) => {
    const input = event.target;
    const row = rowOf(input);
    if (row && input.dataset && input.dataset.pending) save(row);
  });

  document.addEventListener("htmx:configRequest", (event) => {
    const row = event.detail.elt;
    if (!isRow(row)) return;
    sent.set(row, values(row));
    row.querySelectorAll(`${INPUT}[data-pending]`).forEach((input) => delete input.dataset.pending);
    row.classList.remove("save-failed");
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    const row = event.detail.target;
    if (!isRow(row)) return;
    const posted = sent.get(row) || {};
    const edits = {};
    row.querySelectorAll(INPUT).forEach((input) => {
      if (input.name in posted && input.value !== posted[input.name]) edits[input.name] = input.value;
    });
    if (Object.keys(edits).length) carried.set(row.id, edits);
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    const row = event.target;
    if (!isRow(row) || !carried.has(row.id)) return;
    const edits = carried.get(row.id);
    carried.delete(row.id);
    // After a conflict the other person's values stand: the officer re-applies theirs knowingly.
    if (row.dataset.conflict) return;
    Object.entries(edits).forEach(([name, value]) => {
      const input = row.querySelector(`${INPUT}[name="${CSS.escape(name)}"]`);
      if (!input) return;
      input.value = value;
      input.dataset.pending = "1";
    });
  });

  // Now the new row listens: send what is pending, unless the officer is still typing in it.
  document.addEventListener("htmx:afterSettle", (event) => {
    const row = event.target;
    if (!isRow(row)) return;
    const pending = row.querySelectorAll(`${INPUT}[data-pending]`);
    if (!pending.length) return;
    row.classList.add("is-dirty");
    if (Array.from(pending).some((input) => input !== document.activeElement)) save(row);
  });

  // One save at a time for the whole sheet, in the order they were asked for: saves never overtake each
  // other, and the database never sees two writes of one page at once. A row asked again while waiting keeps
  // one place in the line; its values are read when its turn comes.
  const line = []; // [{row, issue}]
  let busySince = 0;
  const STUCK_MS = 30000; // a request that never reported back does not block the sheet for good

  function showBusy() {
    const table = document.getElementById("sheet-table");
    if (table) table.classList.toggle("sheet-busy", busySince > 0 || line.length > 0);
  }

  document.addEventListener("htmx:confirm", (event) => {
    const row = event.detail.elt;
    if (!isRow(row)) return;
    if (busySince && Date.now() - busySince < STUCK_MS) {
      event.preventDefault();
      const entry = { row, issue: event.detail.issueRequest };
      const waiting = line.findIndex((other) => other.row === row);
      if (waiting >= 0) line[waiting] = entry;
      else line.push(entry);
    } else {
      busySince = Date.now();
    }
    showBusy();
  });

  // The row that asked, even when the answer replaced it (htmx then reports on an ancestor still in the page).
  const askingRow = (event) => (event.detail.requestConfig ? event.detail.requestConfig.elt : event.detail.elt);

  document.addEventListener("htmx:afterRequest", (event) => {
    if (!isRow(askingRow(event))) return;
    busySince = 0;
    while (line.length) {
      const entry = line.shift();
      if (!document.body.contains(entry.row)) continue; // replaced meanwhile: its edits were carried over
      busySince = Date.now();
      entry.issue(true);
      break;
    }
    showBusy();
  });

  // Leaving with a save on its way or a value not saved yet asks first.
  window.addEventListener("beforeunload", (event) => {
    const unsaved = busySince || line.length || document.querySelector(`${ROW}.is-dirty, ${INPUT}[data-pending]`);
    if (unsaved) {
      event.preventDefault();
      event.returnValue = ""; // older browsers ask only when this is set
    }
  });

  const failed = (event) => {
    const row = askingRow(event);
    if (isRow(row)) row.classList.add("save-failed");
  };
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);
})();
