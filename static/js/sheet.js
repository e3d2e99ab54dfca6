// The monthly sheet: keyboard entry like a spreadsheet, live counts, and autosave per row. No inline scripts
// (strict CSP).
//
// Keyboard: arrows move between cells (Left/Right inside the remark only at its ends), Enter moves down (Shift+Enter
// up), Tab moves right (Shift+Tab left; past the sheet's first or last cell it leaves the sheet as usual), typing
// replaces the cell's value (entering a cell selects it), Escape puts back the value the cell had when entered.
// While the officer types, the row's total and grade and the sheet's counts per grade and against the cap follow.
//
// Each row (<tr class="sheet-row">) posts itself with htmx when one of its inputs changes and is replaced by
// the server's answer, with the sheet's counts out of band. Saves go one at a time. An officer keeps typing while a
// row is being saved: whatever changed in the row after its request left would be lost when the answer replaces the
// row, so it is carried over into the new row and saved in turn.
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

  const GRADES = ["A", "B", "C", "D"];
  const table = () => document.getElementById("sheet-table");

  function cellsOf(row) {
    return Array.from(row.querySelectorAll(INPUT));
  }

  function neighbourRow(row, step) {
    let other = row;
    do {
      other = step > 0 ? other.nextElementSibling : other.previousElementSibling;
    } while (other && !isRow(other));
    return other;
  }

  // The next cell to the right (step 1) or left (-1), wrapping to the next or previous row; null past the ends.
  function sideways(input, step) {
    const row = rowOf(input);
    const cells = cellsOf(row);
    const index = cells.indexOf(input) + step;
    if (index >= 0 && index < cells.length) return cells[index];
    const other = neighbourRow(row, step);
    if (!other) return null;
    const next = cellsOf(other);
    return step > 0 ? next[0] : next[next.length - 1];
  }

  function move(target) {
    if (!target) return false;
    target.focus(); // leaving a changed input fires "change": its row saves itself
    target.scrollIntoView({ block: "nearest", inline: "nearest" });
    return true;
  }

  document.addEventListener("keydown", (event) => {
    const input = event.target;
    if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
    if (!(input instanceof HTMLInputElement) || !input.matches(INPUT)) return;
    const row = rowOf(input);
    const isText = input.dataset.col === "remark";
    const whole = input.selectionStart === 0 && input.selectionEnd === input.value.length;
    let handled = false;
    switch (event.key) {
      case "Enter":
      case "ArrowDown":
      case "ArrowUp": {
        const step = event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey) ? -1 : 1;
        const other = neighbourRow(row, step);
        const next = other ? other.querySelector(`${INPUT}[data-col="${CSS.escape(input.dataset.col)}"]`) : null;
        handled = move(next);
        if (!handled && event.key === "Enter") {
          handled = true;
          if (input.value !== input.defaultValue || input.dataset.pending) {
            input.dispatchEvent(new Event("change", { bubbles: true }));
          }
        }
        break;
      }
      case "Tab":
        handled = move(sideways(input, event.shiftKey ? -1 : 1));
        break;
      case "ArrowRight":
        if (!isText || whole || input.selectionStart === input.value.length) handled = move(sideways(input, 1));
        break;
      case "ArrowLeft":
        if (!isText || whole || input.selectionEnd === 0) handled = move(sideways(input, -1));
        break;
      case "Escape":
        if (input.dataset.entered !== undefined && input.value !== input.dataset.entered) {
          input.value = input.dataset.entered;
          input.select();
          live(row);
          handled = true;
        }
        break;
      default:
        break;
    }
    if (handled) event.preventDefault();
  });

  // --- Live total, grade and counts while typing ----------------------------------------------------------

  const number = (text) => {
    const value = Number(String(text).trim().replace(",", "."));
    return String(text).trim() === "" || !Number.isFinite(value) ? null : value;
  };

  function gradeOf(total, row) {
    const data = table().dataset;
    let grade = total >= Number(data.aMin) ? "A" : total >= Number(data.bMin) ? "B" : total >= Number(data.cMin) ? "C" : "D";
    const cap = row.dataset.capGrade;
    if (cap && GRADES.indexOf(cap) > GRADES.indexOf(grade)) grade = cap;
    return grade;
  }

  const BADGE = { A: "text-bg-success", B: "text-bg-primary", C: "text-bg-warning", D: "text-bg-danger" };

  // The row's total and grade from what is typed now (the server's answer replaces them once saved).
  function live(row) {
    const points = Array.from(row.querySelectorAll(`${INPUT}:not([data-col="remark"])`));
    if (!points.length) return;
    const values = points.map((input) => number(input.value));
    if (values.some((value, i) => value === null || value < 0 || value > Number(points[i].dataset.max))) return;
    const total = Math.min(values.reduce((sum, value) => sum + value, 0), 110);
    const grade = gradeOf(total, row);
    const decimal = table().dataset.decimal || ".";
    const totalCell = row.querySelector('[data-testid="row-total"]');
    const gradeCell = row.querySelector('[data-testid="row-grade"]');
    if (totalCell) totalCell.textContent = String(Math.round(total * 10) / 10).replace(".", decimal);
    if (gradeCell && gradeCell.dataset.grade !== grade) {
      gradeCell.dataset.grade = grade;
      const badge = gradeCell.querySelector(".badge");
      if (badge) {
        badge.textContent = grade;
        badge.className = `badge ${BADGE[grade]}`;
      }
    }
    row.classList.add("is-pending");
    recount();
  }

  // Counts per grade and grade A against the cap, from the rows' grades as shown.
  function recount() {
    const summary = document.getElementById("sheet-summary");
    if (!summary || !table()) return;
    const counts = { A: 0, B: 0, C: 0, D: 0 };
    table().querySelectorAll('[data-testid="row-grade"]').forEach((cell) => {
      if (cell.dataset.grade in counts) counts[cell.dataset.grade] += 1;
    });
    Object.entries(counts).forEach(([grade, count]) => {
      const element = summary.querySelector(`[data-count="${grade}"]`);
      if (element) element.textContent = String(count);
    });
    const rows = Object.values(counts).reduce((sum, count) => sum + count, 0);
    const percent = Number(summary.dataset.capPercent);
    const ofGood = summary.dataset.capKind === "share_of_good";
    const allowed = Math.floor((percent * (ofGood ? counts.B : rows)) / 100);
    // The fewest A to lower to B (lowering one to B also raises a share of B): as the server counts it.
    let lower = 0;
    if (ofGood) {
      const excess = 100 * counts.A - percent * counts.B;
      lower = excess > 0 ? Math.ceil(excess / (100 + percent)) : 0;
    } else {
      lower = Math.max(0, counts.A - allowed);
    }
    lower = Math.min(lower, counts.A);
    const set = (name, value) => {
      const element = summary.querySelector(`[data-live="${name}"]`);
      if (element) element.textContent = String(value);
    };
    set("a", counts.A);
    set("allowed", allowed);
    set("rows", lower);
    const over = summary.querySelector('[data-live="over"]');
    if (over) over.hidden = lower === 0;
    const capLive = summary.querySelector('[data-testid="cap-live"]');
    if (capLive) capLive.classList.toggle("text-danger", lower > 0);
  }

  // Entering a field selects it, as in a spreadsheet: typing replaces the prefilled full marks.
  document.addEventListener("focusin", (event) => {
    const input = event.target;
    if (input instanceof HTMLInputElement && input.matches(INPUT)) {
      input.dataset.entered = input.value;
      input.select();
    }
  });

  document.addEventListener("input", (event) => {
    const row = rowOf(event.target);
    if (!row) return;
    row.classList.add("is-dirty");
    live(row);
  });

  // The counts the server sent are what is saved; rows still being typed in count as typed.
  document.addEventListener("htmx:oobAfterSwap", () => recount());

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
    // An outerHTML swap may name the old, detached row: the row to fill is the one in the page under its id.
    const id = event.target && event.target.id;
    if (!id || !carried.has(id)) return;
    const row = document.getElementById(id);
    if (!isRow(row)) return;
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

  // Now the new row listens: send what is pending, unless the officer is still typing in it. The counts are taken
  // again from the rows as now shown: the server's counts came with the answer, before its row was swapped in, and
  // another row may have changed since that answer was computed.
  document.addEventListener("htmx:afterSettle", (event) => {
    const row = event.target;
    if (!isRow(row)) return;
    recount();
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
