#include "static_assets.hpp"

#include <fstream>
#include <sstream>

namespace clinic_audit::dashboard {
namespace {

// Status colours: white on these backgrounds has a contrast ratio of at
// least 4.5:1 (WCAG 2.1 SC 1.4.3), and every badge also carries its word.
constexpr std::string_view kCss = R"css(
:root { font-family: system-ui, sans-serif; color: #1a1a1a; background: #fff; }
body { margin: 0; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: 1rem; padding: .5rem 1rem; background: #12355b; color: #fff; }
header a { color: #fff; }
header .brand { font-weight: bold; margin: 0; }
header nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
header a[aria-current=page] { text-decoration: underline 3px; }
.session { margin-left: auto; }
form.inline { display: inline; margin-left: .5rem; }
main { padding: 1rem; max-width: 90rem; }
main:focus { outline: none; }
a:focus, button:focus, input:focus, select:focus, summary:focus { outline: 3px solid #f4b400; outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; color: #12355b; padding: .5rem; z-index: 10; }
table.grid { border-collapse: collapse; margin: .5rem 0 1rem; }
table.grid th, table.grid td { border: 1px solid #c8c8c8; padding: .3rem .5rem; text-align: left; vertical-align: top; }
table.grid thead th { background: #eef2f7; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: .1rem .4rem; border-radius: .3rem; color: #fff; font-size: .9em; }
.s-pass, .s-compliant { background: #1b6e2e; }
.s-fail, .s-failing { background: #b00020; }
.s-error { background: #8a4b00; }
.s-stale, .s-never, .s-skipped, .s-not_applicable, .s-unknown { background: #555; }
.s-waived { background: #5b3f8c; }
.sev { font-weight: bold; }
.sev-critical, .sev-high { color: #b00020; }
.sev-medium { color: #8a4b00; }
.muted { color: #555; font-size: .9em; }
.mono, code, pre { font-family: ui-monospace, monospace; }
pre { white-space: pre-wrap; background: #f5f5f5; padding: .4rem; margin: 0; }
.chain-ok { color: #1b6e2e; }
.chain-bad { color: #b00020; font-weight: bold; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; margin-bottom: 1rem; }
form.filters label { display: block; font-size: .9em; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.facts dt { font-weight: bold; }
.error { color: #b00020; font-weight: bold; }
ul.evidence { margin: .3rem 0 0; padding-left: 1.2rem; }
)css";

// Draws the 90-day trend from the JSON data block the Fleet page embeds.
// An external file, so the Content-Security-Policy forbids inline script.
constexpr std::string_view kJs = R"js(
(function () {
  'use strict';
  var data = document.getElementById('trend-data');
  var canvas = document.getElementById('trend-chart');
  if (!data || !canvas || typeof Chart === 'undefined') { return; }
  var trend = JSON.parse(data.textContent);
  var colours = ['#12355b', '#b00020', '#1b6e2e', '#8a4b00', '#5b3f8c'];
  var datasets = Object.keys(trend.series || {}).map(function (policy, i) {
    return { label: policy, data: trend.series[policy], borderColor: colours[i % colours.length],
             backgroundColor: colours[i % colours.length], spanGaps: true, tension: 0.2 };
  });
  new Chart(canvas, {
    type: 'line',
    data: { labels: trend.days, datasets: datasets },
    options: { animation: false, responsive: false,
               scales: { y: { min: 0, max: 100, title: { display: true, text: '%' } } } }
  });
  document.documentElement.setAttribute('data-chart', 'drawn');
})();
)js";

}  // namespace

StaticAssets::StaticAssets(const std::string& chart_js_path) {
  std::ifstream in(chart_js_path, std::ios::binary);
  if (in) {
    std::ostringstream text;
    text << in.rdbuf();
    chart_js_ = text.str();
  }
}

std::optional<StaticAsset> StaticAssets::find(std::string_view path) const {
  if (path == "/static/dashboard.css") return StaticAsset{"text/css; charset=utf-8", std::string(kCss)};
  if (path == "/static/dashboard.js") return StaticAsset{"text/javascript; charset=utf-8", std::string(kJs)};
  if (path == "/static/chart.min.js" && !chart_js_.empty()) {
    return StaticAsset{"text/javascript; charset=utf-8", chart_js_};
  }
  return std::nullopt;
}

}  // namespace clinic_audit::dashboard
