// Conduct Portal: behaviour shared by every page. No inline scripts, so a strict CSP can forbid them.
document.addEventListener("DOMContentLoaded", () => {
  // Print buttons ship hidden (they need JavaScript) and appear here: <button data-print class="d-none">.
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.classList.remove("d-none");
    button.addEventListener("click", () => window.print());
  });
  // Confirm destructive actions: <form data-confirm="…">.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
