// Conduct Portal: behaviour shared by every page. No inline scripts, so a strict CSP can forbid them.
document.addEventListener("DOMContentLoaded", () => {
  // Print buttons ship hidden (they need JavaScript) and appear here: <button data-print class="d-none">.
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.classList.remove("d-none");
    button.addEventListener("click", () => window.print());
  });
  // Tables marked .table-stack become one card per row on a phone (CSS); each cell carries its column's name,
  // and explicit roles keep the table's meaning for screen readers once the layout is no longer a table.
  const stackTables = (root) => root.querySelectorAll("table.table-stack").forEach((table) => {
    const headers = [...table.querySelectorAll("thead th")].map((th) => th.textContent.trim());
    table.setAttribute("role", "table");
    table.querySelectorAll("tr").forEach((row) => {
      row.setAttribute("role", "row");
      [...row.children].forEach((cell, index) => {
        if (cell.tagName === "TH") cell.setAttribute("role", cell.closest("thead") ? "columnheader" : "rowheader");
        else cell.setAttribute("role", "cell");
        if (!cell.closest("thead") && headers[index] && !cell.hasAttribute("data-label")) cell.dataset.label = headers[index];
      });
    });
    table.querySelectorAll("thead, tbody, tfoot").forEach((group) => group.setAttribute("role", "rowgroup"));
  });
  // A field's error message is part of its description for screen readers (aria-describedby), next to the help
  // text Django already ties; the field is marked invalid.
  let errorCount = 0;
  const tieErrors = (root) => root.querySelectorAll(".is-invalid").forEach((field) => {
    const group = field.closest("[id^=div_], .mb-3, .form-group, fieldset, td");
    if (!group) return;
    group.querySelectorAll(".invalid-feedback, .errorlist, [id^=error_]").forEach((message) => {
      if (!message.textContent.trim()) return;
      if (!message.id) message.id = `field-error-${++errorCount}`;
      const described = (field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
      if (!described.includes(message.id)) field.setAttribute("aria-describedby", [...described, message.id].join(" "));
    });
    field.setAttribute("aria-invalid", "true");
  });
  // Every table of a page's content scrolls inside its own wrapper on a narrow screen, never the whole page.
  const wrapTables = (root) => root.querySelectorAll("main table").forEach((table) => {
    // Not a table that scrolls in a container of its own, nor one whose sticky headers follow the page.
    if (table.closest(".table-responsive, [data-scroll-region], [data-no-wrap], svg") || table.classList.contains("table-stack")) return;
    const header = table.querySelector("thead th");
    if (header && getComputedStyle(header).position === "sticky") return;
    const wrapper = document.createElement("div");
    wrapper.className = "table-responsive";
    table.parentNode.insertBefore(wrapper, table);
    wrapper.appendChild(table);
  });
  // A table wider than the screen scrolls inside its wrapper; a keyboard user reaches that scroll by focusing the
  // wrapper, which therefore becomes focusable (and named after the table's caption) whenever it scrolls.
  const focusableWhenScrolling = () => document.querySelectorAll(".table-responsive, [data-scroll-region]").forEach((wrapper) => {
    if (wrapper.scrollWidth > wrapper.clientWidth + 1) {
      wrapper.setAttribute("tabindex", "0");
      if (!wrapper.hasAttribute("role")) wrapper.setAttribute("role", "region");
      if (!wrapper.hasAttribute("aria-label") && !wrapper.hasAttribute("aria-labelledby")) {
        const caption = wrapper.querySelector("caption");
        const heading = wrapper.closest("section, main")?.querySelector("h1, h2, h3");
        const name = (caption || heading)?.textContent.trim();
        if (name) wrapper.setAttribute("aria-label", name);
      }
    } else if (wrapper.getAttribute("tabindex") === "0" && !wrapper.hasAttribute("data-scroll-region")) {
      wrapper.removeAttribute("tabindex");
    }
  });
  // On the page as loaded, and again on what htmx swaps in (a partial is then part of the document).
  const enhance = () => {
    stackTables(document);
    tieErrors(document);
    wrapTables(document);
    focusableWhenScrolling();
  };
  enhance();
  document.body.addEventListener("htmx:afterSettle", enhance);
  window.addEventListener("resize", focusableWhenScrolling);
  // Confirm destructive actions: <form data-confirm="…">.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
