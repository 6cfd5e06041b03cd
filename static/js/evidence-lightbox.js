// Photo grid lightbox: a Bootstrap modal showing the screen preview of the photo clicked, with previous/next
// (buttons and arrow keys). No dependencies beyond Bootstrap's bundle.
(function () {
  "use strict";
  const modal = document.getElementById("evidence-lightbox");
  if (!modal) return;
  const links = Array.from(document.querySelectorAll(".evidence-lightbox-link"));
  const img = document.getElementById("evidence-lightbox-img");
  const title = document.getElementById("evidence-lightbox-title");
  const caption = document.getElementById("evidence-lightbox-caption");
  const detail = document.getElementById("evidence-lightbox-detail");
  let index = 0;

  function show(i) {
    if (!links.length) return;
    index = (i + links.length) % links.length;
    const link = links[index];
    img.src = link.getAttribute("href");
    img.alt = link.dataset.title || "";
    title.textContent = link.dataset.title || "";
    caption.textContent = link.dataset.caption || "";
    detail.href = link.dataset.detail || "#";
  }

  links.forEach(function (link, i) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      show(i);
    });
  });
  modal.querySelectorAll("[data-lightbox-step]").forEach(function (button) {
    button.addEventListener("click", function () {
      show(index + parseInt(button.dataset.lightboxStep, 10));
    });
  });
  modal.addEventListener("keydown", function (event) {
    if (event.key === "ArrowRight") show(index + 1);
    if (event.key === "ArrowLeft") show(index - 1);
  });
  modal.addEventListener("hidden.bs.modal", function () {
    img.src = "";
  });
})();
