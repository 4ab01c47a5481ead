// ConvScope explorer: background jobs, explanation cards, the opacity slider and the t-SNE map.
// Plain JavaScript with no library and nothing loaded from elsewhere.
"use strict";

function followJob(panel) {
  const key = panel.dataset.job;
  const bar = panel.querySelector("progress");
  const stage = panel.querySelector(".job-stage");
  panel.querySelector(".cancel").addEventListener("click", () => {
    fetch("/api/jobs/" + key + "/cancel", {method: "POST"});
  });
  const poll = () => {
    fetch("/api/jobs/" + key).then(r => r.json()).then(s => {
      bar.value = s.progress || 0;
      stage.textContent = s.state === "running" ? (s.stage || "running") + " " + Math.round(100 * (s.progress || 0)) + "%" : s.state;
      if (s.state === "done") {
        location.reload();
      } else if (s.state === "failed" || s.state === "cancelled") {
        panel.classList.add("stopped");
        stage.textContent = s.state + (s.error && s.state === "failed" ? ": " + s.error : "") + " (reload the page to start again)";
      } else {
        setTimeout(poll, 500);
      }
    }).catch(() => setTimeout(poll, 2000));
  };
  poll();
}

function loadExplanations() {
  const cards = Array.from(document.querySelectorAll("figure.method"));
  let next = 0;
  cards.forEach(card => {
    const button = card.querySelector(".cancel");
    button.addEventListener("click", () => {
      // A card still waiting for its turn is skipped; a running one is stopped on the server.
      card.dataset.cancelled = "1";
      button.disabled = true;
      fetch("/api/jobs/" + card.dataset.job + "/cancel", {method: "POST"}).catch(() => {});
      if (!card.classList.contains("running")) stopped(card, "cancelled");
    });
  });
  // Two at a time: the server computes two results at once anyway, and the cheap maps come back first.
  const work = () => {
    if (next >= cards.length) return;
    const card = cards[next++];
    if (card.dataset.cancelled) { work(); return; }
    const scores = card.querySelector(".scores");
    card.classList.add("running");
    // While the map is computed, show how far it has come (methods that run many passes report it) and for how long.
    const poll = setInterval(() => {
      fetch("/api/jobs/" + card.dataset.job).then(r => r.ok ? r.json() : null).then(s => {
        if (s && s.state === "running" && card.classList.contains("running")) {
          const done = s.progress > 0 ? Math.round(100 * s.progress) + "%, " : "";
          scores.textContent = "computing… " + done + Math.round(s.seconds || 0) + " s";
        }
      }).catch(() => {});
    }, 1000);
    fetch(card.dataset.api).then(r => r.json().then(j => ({ok: r.ok, status: r.status, j}))).then(({ok, status, j}) => {
      if (!ok) {
        stopped(card, status === 409 ? "cancelled" : j.error || "failed");
        return;
      }
      const heat = card.querySelector("img.heat");
      heat.src = j.heatmap;
      heat.style.opacity = document.getElementById("opacity").value;
      scores.textContent = "deletion AUC " + j.deletion_auc.toFixed(3) + ", insertion AUC " + j.insertion_auc.toFixed(3)
          + ", " + j.seconds.toFixed(2) + " s";
      card.classList.add("done");
    }).catch(e => { scores.textContent = "failed: " + e; }).finally(() => {
      clearInterval(poll);
      card.classList.remove("running");
      card.querySelector(".cancel").hidden = true;
      work();
    });
  };
  work();
  work();
  opacitySlider();
}

function opacitySlider() {
  const slider = document.getElementById("opacity");
  const apply = () => document.querySelectorAll("img.heat").forEach(img => { img.style.opacity = slider.value; });
  slider.addEventListener("input", apply);
  if (isStatic()) apply();
}

function stopped(card, why) {
  card.querySelector(".scores").textContent = why;
  card.classList.add(why === "cancelled" ? "cancelled" : "failed");
  card.querySelector(".cancel").hidden = true;
}

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
const SVG_NS = "http://www.w3.org/2000/svg";

function colour(label) {
  return label < 0 ? "#444" : PALETTE[label % PALETTE.length];
}

// A page of the static site (convscope report --explorer) opens from disk: no server to ask, so its data is in
// the page, thumbnails sit beside it, and only the images with a page of their own are links.
function isStatic() {
  return document.body.dataset.static === "1";
}

function thumbUrl(i) {
  return (isStatic() ? "thumb/" : "/thumb/") + i + ".png";
}

function imageUrl(i) {
  if (!isStatic()) return "/image/" + i;
  return (document.body.dataset.images || "").split(",").includes(String(i)) ? "image-" + i + ".html" : null;
}

function linkedThumb(i, title) {
  const img = document.createElement("img");
  img.src = thumbUrl(i);
  img.alt = "image " + i;
  const href = imageUrl(i);
  if (!href) return img;
  const a = document.createElement("a");
  a.href = href;
  if (title) a.title = title;
  a.appendChild(img);
  return a;
}

function tsneMap(box) {
  if (box.dataset.inline) {
    drawMap(box, JSON.parse(document.getElementById(box.dataset.inline).textContent));
    return;
  }
  fetch(box.dataset.src).then(r => r.json()).then(data => drawMap(box, data));
}

function drawMap(box, data) {
  const width = 640, height = 520, pad = 12;
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  svg.setAttribute("class", "scatter");
  box.appendChild(svg);
  const tip = document.createElement("div");
  tip.className = "tip";
  tip.hidden = true;
  box.appendChild(tip);
  const hidden = new Set();
  const full = extent(data.points);
  let view = full;
  const circles = data.points.map(p => {
    const c = document.createElementNS(SVG_NS, "circle");
    c.setAttribute("r", 3.5);
    c.setAttribute("fill", colour(p.label));
    c.setAttribute("class", "point");
    c.dataset.index = p.i;
    c.addEventListener("mouseenter", () => {
      tip.innerHTML = "";
      const img = document.createElement("img");
      img.src = thumbUrl(p.i);
      img.alt = "image " + p.i;
      tip.appendChild(img);
      const text = document.createElement("div");
      text.textContent = "#" + p.i + " " + name(data, p.label) + (p.predicted !== p.label ? " (predicted " + name(data, p.predicted) + ")" : "");
      tip.appendChild(text);
      tip.style.left = (parseFloat(c.getAttribute("cx")) + 14) + "px";
      tip.style.top = (parseFloat(c.getAttribute("cy")) + 14) + "px";
      tip.hidden = false;
    });
    c.addEventListener("mouseleave", () => { tip.hidden = true; });
    c.addEventListener("click", e => { e.stopPropagation(); showNeighbours(data, p); });
    svg.appendChild(c);
    return c;
  });
  const place = () => {
    data.points.forEach((p, k) => {
      const c = circles[k];
      c.setAttribute("cx", pad + (p.x - view.x0) / (view.x1 - view.x0) * (width - 2 * pad));
      c.setAttribute("cy", pad + (p.y - view.y0) / (view.y1 - view.y0) * (height - 2 * pad));
      const inside = p.x >= view.x0 && p.x <= view.x1 && p.y >= view.y0 && p.y <= view.y1;
      c.style.display = hidden.has(p.label) || !inside ? "none" : "";
    });
  };
  place();
  // Dragging draws a box; releasing zooms to it. A double click zooms out again.
  let start = null;
  const rect = document.createElementNS(SVG_NS, "rect");
  rect.setAttribute("class", "zoom");
  const at = e => { const b = svg.getBoundingClientRect(); return {x: e.clientX - b.left, y: e.clientY - b.top}; };
  svg.addEventListener("mousedown", e => {
    if (e.target.tagName === "circle") return;
    start = at(e);
    rect.setAttribute("width", 0);
    rect.setAttribute("height", 0);
    svg.appendChild(rect);
  });
  svg.addEventListener("mousemove", e => {
    if (!start) return;
    const q = at(e);
    rect.setAttribute("x", Math.min(start.x, q.x));
    rect.setAttribute("y", Math.min(start.y, q.y));
    rect.setAttribute("width", Math.abs(q.x - start.x));
    rect.setAttribute("height", Math.abs(q.y - start.y));
  });
  svg.addEventListener("mouseup", e => {
    if (!start) return;
    const q = at(e);
    rect.remove();
    if (Math.abs(q.x - start.x) > 5 && Math.abs(q.y - start.y) > 5) {
      const fx = v => view.x0 + (v - pad) / (width - 2 * pad) * (view.x1 - view.x0);
      const fy = v => view.y0 + (v - pad) / (height - 2 * pad) * (view.y1 - view.y0);
      view = {x0: fx(Math.min(start.x, q.x)), x1: fx(Math.max(start.x, q.x)), y0: fy(Math.min(start.y, q.y)), y1: fy(Math.max(start.y, q.y))};
      place();
    }
    start = null;
  });
  svg.addEventListener("dblclick", () => { view = full; place(); });
  const legend = document.getElementById("legend");
  data.classes.forEach((label, k) => {
    const item = document.createElement("button");
    item.type = "button";
    item.className = "legend-item";
    item.dataset.label = k;
    item.innerHTML = "<span class=\"swatch\" style=\"background:" + colour(k) + "\"></span>";
    item.appendChild(document.createTextNode(label));
    item.addEventListener("click", () => {
      if (hidden.has(k)) hidden.delete(k); else hidden.add(k);
      item.classList.toggle("off", hidden.has(k));
      place();
    });
    legend.appendChild(item);
  });
}

function extent(points) {
  let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  points.forEach(p => { x0 = Math.min(x0, p.x); x1 = Math.max(x1, p.x); y0 = Math.min(y0, p.y); y1 = Math.max(y1, p.y); });
  const mx = (x1 - x0) * 0.02 || 1, my = (y1 - y0) * 0.02 || 1;
  return {x0: x0 - mx, x1: x1 + mx, y0: y0 - my, y1: y1 + my};
}

function name(data, label) {
  return label >= 0 && label < data.classes.length ? data.classes[label] : "unlabelled";
}

function showNeighbours(data, p) {
  const panel = document.getElementById("neighbours");
  panel.innerHTML = "";
  const head = document.createElement("p");
  head.appendChild(linkedThumb(p.i));
  head.appendChild(document.createTextNode(" "));
  head.appendChild(document.createTextNode("#" + p.i + " " + name(data, p.label)));
  panel.appendChild(head);
  [["in feature space", p.features, "features"], ["in pixel space", p.pixels, "pixels"]].forEach(([title, list, cls]) => {
    const h = document.createElement("h3");
    h.textContent = title;
    panel.appendChild(h);
    const row = document.createElement("div");
    row.className = "thumbs " + cls;
    // Neighbours come from the whole dataset (or database), not only from the points on the map.
    list.forEach(n => {
      row.appendChild(linkedThumb(n.i, "#" + n.i + " " + name(data, n.label) + ", distance " + n.d.toFixed(4)));
    });
    panel.appendChild(row);
  });
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".job").forEach(followJob);
  if (document.querySelector("figure.method[data-api]")) loadExplanations();
  else if (document.getElementById("opacity")) opacitySlider();
  const map = document.getElementById("tsne");
  if (map) tsneMap(map);
});
