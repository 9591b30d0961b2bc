/**
 * Private: the dashboard's one stylesheet (served by `_static_files.ts`). Bars are drawn with width classes (`w0`…`w100`) rather than inline styles,
 * which the pages' Content-Security-Policy forbids.
 */

const WIDTHS = Array.from({ length: 101 }, (_, i) => `.w${i}{width:${i}%}`).join("");
const COLORS = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#0891b2", "#db2777", "#65a30d", "#6b7280"];

/** The stylesheet. */
export const STYLE = `*,*::before,*::after{box-sizing:border-box}
html{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#111827;background:#f3f4f6}
body{margin:0}
a{color:#1d4ed8}
a:hover{color:#1e3a8a}
:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.skip{position:absolute;left:.5rem;top:-3rem;background:#fff;color:#111827;padding:.5rem .75rem;border-radius:4px;z-index:10}
.skip:focus{top:.5rem}
header.top{background:#111827;color:#f9fafb}
header.top .in{display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1.5rem;max-width:80rem;margin:0 auto;padding:.6rem 1rem}
.brand{font-weight:700;font-size:1.1rem;color:#f9fafb;text-decoration:none;letter-spacing:.02em}
nav.main ul{display:flex;flex-wrap:wrap;gap:.25rem;list-style:none;margin:0;padding:0}
nav.main a{display:block;color:#d1d5db;text-decoration:none;padding:.35rem .7rem;border-radius:4px}
nav.main a:hover{color:#fff;background:#374151}
nav.main a[aria-current=page]{color:#fff;background:#2563eb}
header.top form{margin-left:auto}
header.top .btn{background:#374151;color:#f9fafb;border-color:#4b5563}
main{display:block;max-width:80rem;margin:0 auto;padding:1rem 1rem 3rem}
main:focus{outline:none}
h1{font-size:1.5rem;margin:.5rem 0 1rem}
h2{font-size:1.15rem;margin:0 0 .75rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
section.card{background:#fff;border:1px solid #e5e7eb;border-radius:6px;padding:1rem;margin:0 0 1rem}
section.card.login{max-width:26rem;margin:3rem auto}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(22rem,1fr));gap:1rem;margin:0 0 1rem}
.grid>section.card{margin:0}
dl.stats{display:grid;grid-template-columns:repeat(auto-fit,minmax(9rem,1fr));gap:.75rem;margin:0}
dl.stats div{background:#f9fafb;border:1px solid #e5e7eb;border-radius:6px;padding:.6rem .8rem}
dl.stats dt{color:#4b5563;font-size:.85rem}
dl.stats dd{margin:0;font-size:1.6rem;font-weight:700}
dl.stats a{text-decoration:none}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem;margin:0}
dl.kv dt{color:#4b5563}
dl.kv dd{margin:0;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%;font-size:.92rem}
caption{text-align:left;font-weight:600;padding:0 0 .4rem}
.scroll+.scroll{margin-top:1.25rem}
th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid #e5e7eb;vertical-align:baseline}
thead th{background:#f9fafb;color:#374151;font-weight:600;white-space:nowrap}
tbody tr:hover{background:#f9fafb}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
.scroll{overflow-x:auto}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
.muted{color:#6b7280}
.small{font-size:.85rem}
.badge{display:inline-block;padding:.05rem .45rem;border-radius:999px;font-size:.8rem;font-weight:600;border:1px solid transparent;white-space:nowrap}
.s-accepted,.r-ok{background:#dcfce7;color:#14532d;border-color:#86efac}
.s-pending{background:#fef3c7;color:#78350f;border-color:#fcd34d}
.s-rejected,.r-error{background:#fee2e2;color:#7f1d1d;border-color:#fca5a5}
.r-rolled_back{background:#ede9fe;color:#4c1d95;border-color:#c4b5fd}
.r-none{background:#f3f4f6;color:#374151;border-color:#d1d5db}
.bar{display:flex;height:1.1rem;background:#e5e7eb;border-radius:3px;overflow:hidden;margin:.3rem 0 .6rem}
.bar span{display:block;height:100%}
.bar.thin{height:.6rem;margin:.35rem 0 0;min-width:6rem}
${COLORS.map((c, i) => `.c${i}{background:${c}}`).join("")}
.k-ok{background:#16a34a}.k-error{background:#dc2626}.k-rolled_back{background:#7c3aed}.k-none{background:#9ca3af}
.key{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;vertical-align:-.1rem;margin-right:.3rem}
form.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.6rem 1rem;align-items:end}
form.filters .actions{display:flex;gap:.5rem;align-items:center}
label{display:block;font-size:.85rem;color:#374151;margin-bottom:.2rem}
input,select{font:inherit;width:100%;padding:.35rem .5rem;border:1px solid #9ca3af;border-radius:4px;background:#fff;color:#111827}
.btn{font:inherit;display:inline-block;padding:.35rem .9rem;border:1px solid #9ca3af;border-radius:4px;background:#fff;color:#111827;cursor:pointer;text-decoration:none;white-space:nowrap}
.btn:hover{background:#f3f4f6}
.btn.primary{background:#2563eb;border-color:#1d4ed8;color:#fff}
.btn.primary:hover{background:#1d4ed8}
.btn.ok{background:#16a34a;border-color:#15803d;color:#fff}
.btn.danger{background:#dc2626;border-color:#b91c1c;color:#fff}
.actions-row{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin-top:.75rem}
.actions-row form{margin:0}
.pager{display:flex;gap:1rem;align-items:center;margin-top:.75rem}
.note{padding:.6rem .8rem;border-radius:4px;background:#eff6ff;border:1px solid #bfdbfe}
.error{padding:.6rem .8rem;border-radius:4px;background:#fef2f2;border:1px solid #fecaca;color:#7f1d1d}
.login input{margin-bottom:.8rem}
.k-progress{background:#60a5fa}.k-timeout{background:#f59e0b}
.rs-running{background:#dbeafe;color:#1e3a8a;border-color:#93c5fd}
.rs-paused{background:#fef3c7;color:#78350f;border-color:#fcd34d}
.rs-halted{background:#fee2e2;color:#7f1d1d;border-color:#fca5a5}
.rs-ended,.rs-done{background:#f3f4f6;color:#374151;border-color:#d1d5db}
ul.rollouts>li{padding:.75rem 0 .5rem .75rem;border-left:4px solid #93c5fd;margin:0 0 .75rem}
ul.rollouts>li.rs-halted-edge{border-left-color:#dc2626}
ul.rollouts>li.rs-paused-edge{border-left-color:#f59e0b}
ul.rollouts h3{margin:0 0 .4rem}
ul.rollouts .error,ul.rollouts .note{margin:.3rem 0 .5rem;overflow-wrap:anywhere}
.steps{display:flex;height:1.4rem;background:#e5e7eb;border-radius:3px;overflow:hidden;margin:.3rem 0 .3rem}
.steps span{display:block;height:100%;border-right:2px solid #fff;flex-shrink:1}
.st-reached{background:#2563eb}
.st-held{background:repeating-linear-gradient(135deg,#f59e0b 0 6px,#fde68a 6px 12px)}
.st-later{background:#d1d5db}
.progress-text{margin:.2rem 0 .5rem}
.progress-text .held{color:#b45309}
ol.steplist{list-style:none;margin:.3rem 0 .6rem;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1.25rem}
ul.outcomes{list-style:none;margin:.2rem 0 0;padding:0;display:flex;flex-wrap:wrap;gap:.2rem 1rem}
ul.examples li{overflow-wrap:anywhere}
#rollout-actions ul{flex-basis:100%}
ul.plain{list-style:none;margin:0;padding:0}
${WIDTHS}
@media (prefers-reduced-motion:no-preference){nav.main a,.btn{transition:background-color .1s}}
`;
