/* global window, document */
// Opens every details element before printing and closes again those that were closed, so a
// printed page has all its content (CSS alone cannot open them in every browser).
const opened = [];
window.addEventListener('beforeprint', () => {
  for (const details of document.querySelectorAll('details:not([open])')) {
    details.open = true;
    opened.push(details);
  }
});
window.addEventListener('afterprint', () => {
  for (const details of opened.splice(0)) details.open = false;
});
