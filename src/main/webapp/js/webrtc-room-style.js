// The look of <webrtc-room>: its shadow root's style sheet and its icons. Every colour, radius,
// font and gap comes from a documented `--sb-*` custom property (docs/widget.md), read once into
// a private `--_*` variable so that each default is written in one place; the properties inherit
// into the shadow root, so a portal sets them on the element or any ancestor.

export const STYLE = `
  :host {
    display: block;
    /* Defaults of the public properties: the light theme. */
    --_font: var(--sb-font, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
    --_font-size: var(--sb-font-size, 15px);
    --_text: var(--sb-text, #1d2430);
    --_muted: var(--sb-text-muted, #515a68);
    --_bg: var(--sb-background, #ffffff);
    --_surface: var(--sb-surface, #f4f6f9);
    --_border: var(--sb-border, #8b95a3);
    --_divider: var(--sb-divider, #dde2e8);
    --_accent: var(--sb-accent, #2456a6);
    --_accent-text: var(--sb-accent-text, #ffffff);
    --_button-bg: var(--sb-button-background, #ffffff);
    --_button-text: var(--sb-button-text, var(--_text));
    --_pressed-bg: var(--sb-pressed-background, #ffe1dc);
    --_pressed-text: var(--sb-pressed-text, #1d2430);
    --_pressed-border: var(--sb-pressed-border, #b5462f);
    --_danger: var(--sb-danger, #a3261b);
    --_danger-text: var(--sb-danger-text, #ffffff);
    --_warning: var(--sb-warning, #7a4f00);
    --_success: var(--sb-success, #17703a);
    --_focus: var(--sb-focus, #1a5fd0);
    --_focus-width: var(--sb-focus-width, 3px);
    --_tile-bg: var(--sb-tile-background, #10151d);
    --_tile-text: var(--sb-tile-text, #ffffff);
    --_caption-bg: var(--sb-caption-background, rgba(0, 0, 0, .72));
    --_speaking: var(--sb-speaking, #3ddc84);
    --_good: var(--sb-quality-good, #17703a);
    --_fair: var(--sb-quality-fair, #8a5a00);
    --_poor: var(--sb-quality-poor, #b3261e);
    --_radius: var(--sb-radius, 8px);
    --_control-radius: var(--sb-control-radius, 6px);
    --_gap: var(--sb-gap, .75rem);
    --_tile-gap: var(--sb-tile-gap, .5rem);
    --_side-width: var(--sb-side-width, 20rem);
    --_tile-min-height: var(--sb-tile-min-height, 6rem);
    --_tile-aspect: var(--sb-tile-aspect-ratio, 16 / 9);
    --_log-max-height: var(--sb-log-max-height, 22rem);
  }
  [hidden] { display: none !important; }
  .widget {
    container: sb / inline-size;
    box-sizing: border-box; height: 100%; display: flex; flex-direction: column; gap: var(--_gap);
    font: var(--_font-size)/1.4 var(--_font); color: var(--_text); background: var(--_bg);
    padding: var(--sb-padding, .75rem); border-radius: var(--_radius);
  }
  *, *::before, *::after { box-sizing: border-box; }
  .visually-hidden {
    position: absolute !important; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;
    clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0;
  }
  h2 { font-size: .95rem; margin: 0; color: var(--_muted); font-weight: 600; }
  :focus-visible { outline: var(--_focus-width) solid var(--_focus); outline-offset: 2px; }

  /* Controls. */
  button, select, input[type="text"], input[type="file"] {
    font: inherit; color: var(--_button-text); background: var(--_button-bg);
    border: 1px solid var(--_border); border-radius: var(--_control-radius);
    padding: .35rem .7rem; min-height: 2.25rem;
  }
  input[type="text"] { color: var(--_text); background: var(--_bg); }
  input::placeholder { color: var(--_muted); opacity: 1; }
  button { cursor: pointer; display: inline-flex; align-items: center; gap: .35rem; }
  button:hover:not(:disabled) { border-color: var(--_text); }
  button[aria-pressed="true"] {
    background: var(--_pressed-bg); color: var(--_pressed-text); border-color: var(--_pressed-border);
    box-shadow: inset 0 0 0 1px var(--_pressed-border);
  }
  button:disabled, select:disabled, input:disabled { opacity: .55; cursor: default; }
  button.primary { background: var(--_accent); color: var(--_accent-text); border-color: var(--_accent); }
  button.danger { background: var(--_danger); color: var(--_danger-text); border-color: var(--_danger); }
  .icon { width: 1.15em; height: 1.15em; flex: none; fill: currentColor; }
  .icon .slash { stroke: currentColor; stroke-width: 2.2; fill: none; stroke-linecap: round; }
  button[aria-pressed="true"] .when-off, button:not([aria-pressed="true"]) .when-on { display: none; }
  label.field { display: grid; gap: .2rem; font-size: .9rem; }
  label.field > span { color: var(--_muted); }

  /* The top bar: status, transport, invite, retry. */
  .bar { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; }
  .status { flex: 1; min-width: 12rem; }
  .status[data-kind="error"] { color: var(--_danger); font-weight: 600; }
  .status[data-kind="warn"] { color: var(--_warning); font-weight: 600; }
  .status[data-kind="error"]::before { content: "⚠ "; }
  .transport { font-size: .8rem; color: var(--_muted); }

  /* The pre-join step. */
  .prejoin {
    display: grid; gap: var(--_gap); align-content: start; max-width: 44rem; width: 100%;
    margin-inline: auto; padding: var(--_gap); background: var(--_surface);
    border: 1px solid var(--_divider); border-radius: var(--_radius);
    grid-template-columns: minmax(0, 1fr) minmax(0, 1fr);
  }
  .prejoin h2, .prejoin .hint { grid-column: 1 / -1; }
  .prejoin .hint { margin: 0; color: var(--_muted); font-size: .9rem; }
  .preview {
    position: relative; background: var(--_tile-bg); border-radius: var(--_radius); overflow: hidden;
    aspect-ratio: var(--_tile-aspect); align-self: start;
  }
  .preview video { width: 100%; height: 100%; object-fit: cover; display: block; transform: scaleX(-1); }
  .prejoin-fields { display: grid; gap: .6rem; align-content: start; }
  .devices { display: contents; }
  .prejoin .devices { display: grid; gap: .6rem; }
  meter { width: 100%; height: 1rem; }
  .prejoin .actions { grid-column: 1 / -1; display: flex; gap: .5rem; flex-wrap: wrap; }
  .prejoin[data-media="audio"] .preview, .prejoin[data-media="audio"] .camera-field,
  .prejoin[data-media="none"] .preview, .prejoin[data-media="none"] .devices, .prejoin[data-media="none"] .meter-field,
  .prejoin[data-media="none"] .hint,
  .prejoin[data-media="none"] [data-testid="check-devices"] { display: none; }
  .prejoin[data-media="audio"], .prejoin[data-media="none"] { grid-template-columns: minmax(0, 1fr); max-width: 28rem; }

  /* The call: the stage (tiles and controls) beside the side panel (people and chat). */
  .main {
    flex: 1; min-height: 0; display: grid; gap: var(--_gap);
    grid-template-columns: minmax(0, 1fr) var(--_side-width);
  }
  .stage { display: flex; flex-direction: column; gap: var(--_gap); min-height: 0; }
  .grid {
    flex: 1; min-height: 0; display: grid; gap: var(--_tile-gap); --_cols: 1;
    grid-template-columns: repeat(var(--_cols), minmax(0, 1fr));
    grid-auto-rows: minmax(var(--_tile-min-height), 1fr); align-content: stretch;
  }
  .grid[data-count="2"], .grid[data-count="3"], .grid[data-count="4"] { --_cols: 2; }
  .grid[data-count="5"], .grid[data-count="6"], .grid[data-count="7"], .grid[data-count="8"],
  .grid[data-count="9"] { --_cols: 3; }
  .grid[data-count="many"] { --_cols: 4; }
  .tile {
    margin: 0; position: relative; background: var(--_tile-bg); color: var(--_tile-text);
    border-radius: var(--_radius); overflow: hidden; aspect-ratio: var(--_tile-aspect);
    /* The column gives the width; the row stretches the height when the element has a height of
       its own, else the aspect ratio sets it. */
    width: 100%; align-self: stretch; min-width: 0; outline: 3px solid transparent; outline-offset: -3px;
    transition: outline-color .15s;
  }
  .tile video { position: absolute; inset: 0; width: 100%; height: 100%; object-fit: cover; display: block; }
  .tile[data-local] video { transform: scaleX(-1); }
  .tile[data-screen="true"] video { object-fit: contain; transform: none; }
  .tile[data-speaking="true"] { outline-color: var(--_speaking); }
  .placeholder {
    position: absolute; inset: 0; display: none; place-items: center; background: var(--_tile-bg);
    font-size: clamp(1.5rem, 12cqi, 4rem); font-weight: 600;
  }
  .tile[data-video="off"] .placeholder { display: grid; }
  .tile figcaption {
    position: absolute; left: .4rem; bottom: .4rem; right: 3.2rem; display: flex; flex-wrap: wrap;
    gap: .25rem; align-items: center; font-size: .85rem;
  }
  .tile figcaption > * { background: var(--_caption-bg); color: var(--_tile-text); padding: .05rem .4rem; border-radius: 4px; }
  .tile .name { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; max-width: 100%; }
  .chip { display: none; align-items: center; gap: .25rem; }
  .tile[data-audio="off"] .chip-muted, .tile[data-video="off"] .chip-video-off,
  .tile[data-screen="true"] .chip-sharing, .tile[data-speaking="true"] .chip-speaking { display: inline-flex; }
  .quality {
    position: absolute; right: .4rem; bottom: .4rem; display: inline-flex; align-items: flex-end;
    gap: 2px; padding: .2rem .3rem; border-radius: 4px; background: var(--_caption-bg); height: 1.4rem;
  }
  .quality i { width: 4px; background: transparent; border: 1px solid var(--_tile-text); border-radius: 1px; }
  .quality i:nth-child(1) { height: 35%; } .quality i:nth-child(2) { height: 65%; } .quality i:nth-child(3) { height: 100%; }
  .quality[data-quality="good"] i { background: var(--_tile-text); }
  .quality[data-quality="fair"] i:nth-child(-n+2) { background: var(--_tile-text); }
  .quality[data-quality="poor"] i:nth-child(1) { background: var(--_tile-text); }
  .quality[data-quality="good"] { background: var(--_good); }
  .quality[data-quality="fair"] { background: var(--_fair); }
  .quality[data-quality="poor"] { background: var(--_poor); }

  .controls { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; justify-content: center; }
  .controls .devices label.field { display: flex; align-items: center; gap: .3rem; color: var(--_muted); }
  /* In the call the pickers show an icon; their names stay for assistive technology. */
  .field .icon { display: none; }
  .controls .field .icon { display: block; }
  .controls .field > .text {
    position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap;
  }
  .controls select { max-width: 11rem; }

  .side { display: flex; flex-direction: column; gap: .5rem; min-height: 0; }
  ul { list-style: none; margin: 0; padding: 0; }
  .people li { display: flex; justify-content: space-between; gap: .5rem; padding: .15rem 0; }
  .people .state { font-size: .8rem; color: var(--_muted); }
  .people li[data-state="connected"] .state { color: var(--_success); }
  .people li[data-state="failed"] .state, .people li[data-state="disconnected"] .state { color: var(--_danger); }
  .log {
    flex: 1; overflow-y: auto; border: 1px solid var(--_divider); border-radius: var(--_control-radius);
    padding: .4rem; min-height: 8rem; max-height: var(--_log-max-height); background: var(--_surface);
  }
  .entry { margin: 0 0 .3rem; overflow-wrap: anywhere; }
  .entry .who { font-weight: 600; margin-right: .3rem; }
  .entry.self .who { color: var(--_accent); }
  .entry.system { color: var(--_muted); font-style: italic; }
  .entry a { color: var(--_accent); }
  .chat-form { display: flex; gap: .4rem; }
  .chat-form input { flex: 1; min-width: 0; }
  .file-field { display: grid; gap: .2rem; font-size: .9rem; color: var(--_muted); }
  .file-field input { width: 100%; }
  .offer { display: flex; flex-wrap: wrap; gap: .3rem; align-items: center; }
  .offer button { padding: .1rem .5rem; min-height: 1.9rem; }
  progress { width: 8rem; accent-color: var(--_accent); }

  /* With a height of its own (a portal or the demo sets one), the call fills it; without one, the
     tiles keep their aspect ratio and the log its maximum height. */
  @container sb (max-width: 44rem) {
    .main { grid-template-columns: minmax(0, 1fr); }
    .grid { --_cols: 1 !important; grid-auto-rows: auto; }
    .prejoin { grid-template-columns: minmax(0, 1fr); }
    /* One column scrolls with the page: the controls stay in reach at the bottom, as icons
       (their names stay for assistive technology) so that they take little of a phone's screen. */
    .controls { position: sticky; bottom: 0; z-index: 1; background: var(--_bg); padding-block: .4rem; gap: .4rem; }
    .controls button .label {
      position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap;
    }
    .controls button { padding-inline: .6rem; }
    .controls select { max-width: 8.5rem; }
  }
  @media (prefers-reduced-motion: reduce) {
    *, *::before, *::after { transition: none !important; animation: none !important; scroll-behavior: auto !important; }
  }
  @media (forced-colors: active) {
    .tile[data-speaking="true"] { outline-color: Highlight; }
    .quality i { border-color: CanvasText; }
  }
`;

/**
 * Icon shapes on a 24×24 grid: filled paths, and for the "off" variants a slash drawn on top.
 * @type {Record<string, {paths: string[], slash?: boolean}>}
 */
const ICONS = {
  mic: { paths: ['M12 14a3 3 0 0 0 3-3V5a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm5-3a5 5 0 0 1-10 0H5a7 7 0 0 0 6 6.9V21h2v-3.1A7 7 0 0 0 19 11z'] },
  camera: { paths: ['M17 10.5V7a1 1 0 0 0-1-1H4a1 1 0 0 0-1 1v10a1 1 0 0 0 1 1h12a1 1 0 0 0 1-1v-3.5l4 4v-11z'] },
  screen: { paths: ['M20 4H4a2 2 0 0 0-2 2v10a2 2 0 0 0 2 2h6v2H8v2h8v-2h-2v-2h6a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 12H4V6h16z'] },
  speaker: { paths: ['M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z'] },
  link: { paths: ['M3.9 12a3.1 3.1 0 0 1 3.1-3.1h4V7H7a5 5 0 0 0 0 10h4v-1.9H7A3.1 3.1 0 0 1 3.9 12zM8 13h8v-2H8zm9-6h-4v1.9h4a3.1 3.1 0 0 1 0 6.2h-4V17h4a5 5 0 0 0 0-10z'] },
  leave: { paths: ['M12 9c-1.6 0-3.1.3-4.5.7v3.1c0 .4-.2.7-.6.9-1 .5-1.9 1.1-2.6 1.8-.2.2-.4.3-.7.3s-.5-.1-.7-.3L.3 13.1a1 1 0 0 1-.3-.7c0-.3.1-.5.3-.7C3.3 8.8 7.4 7 12 7s8.7 1.8 11.7 4.7c.2.2.3.4.3.7s-.1.5-.3.7l-2.5 2.5c-.2.2-.4.3-.7.3s-.5-.1-.7-.3c-.8-.7-1.7-1.3-2.7-1.8-.3-.2-.6-.5-.6-.9V9.7C15.1 9.3 13.6 9 12 9z'] },
};
ICONS['mic-off'] = { ...ICONS.mic, slash: true };
ICONS['camera-off'] = { ...ICONS.camera, slash: true };

const SVG = 'http://www.w3.org/2000/svg';

/**
 * An icon, hidden from assistive technology: the control or chip beside it says the same in words.
 * @param {keyof typeof ICONS|'mic-off'|'camera-off'} name @param {string} [extraClass]
 * @returns {SVGSVGElement}
 */
export function icon(name, extraClass = '') {
  const shape = ICONS[name];
  const svg = /** @type {SVGSVGElement} */ (document.createElementNS(SVG, 'svg'));
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.setAttribute('class', `icon ${extraClass}`.trim());
  for (const d of shape.paths) {
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  if (shape.slash) {
    const slash = document.createElementNS(SVG, 'path');
    slash.setAttribute('d', 'M3 3l18 18');
    slash.setAttribute('class', 'slash');
    svg.append(slash);
  }
  return svg;
}
