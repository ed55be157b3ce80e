// All page behaviour lives here: the CSP forbids inline scripts and eval.
import htmx from "htmx.org";
import "bootstrap/dist/js/bootstrap.bundle.js"; // navbar collapse, dropdowns (Popper included)
import Chart from "chart.js/auto";
import Sortable from "sortablejs";

// --- htmx -----------------------------------------------------------------
window.htmx = htmx;
htmx.config.includeIndicatorStyles = false; // indicator CSS is in app.css (no inline <style>)
htmx.config.allowEval = false;
htmx.config.allowScriptTags = false;

// CSRF: send the token from <meta name="csrf-token"> with every htmx request.
document.addEventListener("htmx:configRequest", (e) => {
  const token = document.querySelector('meta[name="csrf-token"]')?.content;
  if (token) e.detail.headers["X-CSRFToken"] = token;
});

// Elements matching `selector` in `root`, including root itself.
function within(root, selector) {
  const found = [...root.querySelectorAll(selector)];
  if (root.matches?.(selector)) found.unshift(root);
  return found;
}

// --- data-confirm: ask before submitting a form / clicking a button or link ---
function refuse(e) {
  e.preventDefault();
  e.stopImmediatePropagation();
}
document.addEventListener("submit", (e) => {
  const msg = e.target.dataset?.confirm;
  if (msg && !window.confirm(msg)) refuse(e);
}, true);
document.addEventListener("click", (e) => {
  const el = e.target.closest?.("[data-confirm]");
  if (el && el.tagName !== "FORM" && !window.confirm(el.dataset.confirm)) refuse(e);
}, true);

// --- data-autosubmit: submit the element's form when it changes (filter bars) ---
document.addEventListener("change", (e) => {
  const form = e.target.closest?.("[data-autosubmit]") && e.target.form;
  if (form) form.requestSubmit ? form.requestSubmit() : form.submit();
});

// --- data-chart: Chart.js config as JSON in the attribute, or in
// <script type="application/json" id="X"> referenced by data-chart-src="X" ---
function initCharts(root) {
  for (const canvas of within(root, "canvas[data-chart], canvas[data-chart-src]")) {
    try {
      const src = canvas.dataset.chartSrc;
      const json = src ? document.getElementById(src)?.textContent : canvas.dataset.chart;
      const config = JSON.parse(json);
      Chart.getChart(canvas)?.destroy();
      new Chart(canvas, config);
    } catch (err) {
      console.error("data-chart: bad config", canvas, err);
    }
  }
}
// Free charts whose canvas htmx is about to remove.
document.addEventListener("htmx:beforeCleanupElement", (e) => {
  if (e.target.tagName === "CANVAS") Chart.getChart(e.target)?.destroy();
});

// --- data-sortable-group: drag-and-drop lists; a drop into another list POSTs
// {status: <target list's data-status>} to the item's data-move-url via htmx ---
function initSortables(root) {
  for (const list of within(root, "[data-sortable-group]")) {
    if (Sortable.get(list)) continue;
    Sortable.create(list, {
      group: list.dataset.sortableGroup,
      animation: 150,
      onAdd({ item, to }) {
        const url = item.dataset.moveUrl;
        // source: item -> the item's own hx-target/hx-swap apply (default: its innerHTML; 204 = no swap)
        if (url) htmx.ajax("POST", url, { source: item, values: { status: to.dataset.status } });
      },
    });
  }
}

function init(root) {
  initCharts(root);
  initSortables(root);
}
if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", () => init(document.body));
} else {
  init(document.body);
}
document.addEventListener("htmx:afterSwap", (e) => init(e.target));
