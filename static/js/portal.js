// Conduct Portal: behaviour shared by every page. No inline scripts, so a strict CSP can forbid them.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm destructive actions: <form data-confirm="…">.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
