// Satisfaction kiosk: one tap per vote. Progressive enhancement only: the page works without JavaScript
// (plain form posts; a meta refresh returns to the faces after the thank-you screen).
document.addEventListener("DOMContentLoaded", () => {
  let sent = false;
  document.querySelectorAll(".kiosk-face-form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (sent) { event.preventDefault(); return; }
      sent = true;
      document.querySelectorAll(".kiosk-face").forEach((button) => { button.disabled = true; });
      // Disabled buttons are not submitted: carry the chosen score in a hidden field.
      const chosen = event.submitter;
      if (chosen) {
        const input = document.createElement("input");
        input.type = "hidden"; input.name = chosen.name; input.value = chosen.value;
        form.appendChild(input);
      }
    });
  });
  const back = document.querySelector("[data-kiosk-back]");
  if (back) window.setTimeout(() => window.location.replace(back.href), 4000);
});
