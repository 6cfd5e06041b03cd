// The dashboard's print view: the Print button opens the browser's print dialog (A4 landscape, from the
// page's print styles). An external file, so the page needs no inline script under a strict CSP.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
