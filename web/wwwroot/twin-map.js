// The operations map: the city's areas and devices drawn on one canvas, no tiles and no network beyond the
// twin itself. The fixed layer (outlines, positions) is fetched once; live state arrives as small updates from
// the server. Drawing is coalesced to one frame per animation frame, so bursts of updates cost one redraw.

const LEVEL_COLOURS = ["#4fb3d9", "#2f80ed", "#f2c94c", "#f2994a", "#eb5757"];
const ELEVATOR_COLOURS = ["#a78bfa", "#f2994a", "#eb5757", "#8a94a6"];
const URGENCY_COLOURS = ["#f4f6fb", "#f2994a", "#eb5757"];
const HIT_PIXELS = 9;
// Sensor kinds of the flood layer (SensorKind: Waterlogging, RiverLevel, Rainfall, Tide).
const FLOOD_KINDS = new Set([0, 1, 2, 3]);
const DRAG_PIXELS = 4;
// Grids below this value of the index shown are outlined, so a single bad grid shows at city scale.
const WORST_BELOW = 60;

function indexColour(value) {
    if (value === undefined || value === null) return "rgba(120,140,170,0.25)";
    if (value >= 90) return "rgba(46,158,91,0.55)";
    if (value >= 75) return "rgba(140,193,82,0.60)";
    if (value >= 60) return "rgba(242,201,76,0.65)";
    if (value >= 40) return "rgba(242,153,74,0.70)";
    return "rgba(214,69,69,0.75)";
}

class TwinMap {
    constructor(canvas, dotnet, city) {
        this.canvas = canvas;
        this.dotnet = dotnet;
        this.context = canvas.getContext("2d");
        this.layers = { grids: true, sensors: true, cameras: true, elevators: true, cases: true, floodOnly: false };
        this.gridValues = new Map();
        this.deviceStates = new Map();
        this.cases = new Map();
        // A past moment shown by the time slider ({ grids, sensors }), or null while live: live updates go on
        // being applied to the live maps underneath, so returning to live shows the city as it is now.
        this.past = null;
        this.selected = null;
        this.load(city);
        this.fit();
        this.listen();
        this.resize();
    }

    load(city) {
        // Project once: equirectangular scaled by the cosine of the city's mean latitude (true to a few
        // metres across a city), y growing southwards like the screen.
        let minLon = Infinity, minLat = Infinity, maxLon = -Infinity, maxLat = -Infinity;
        const grow = (lon, lat) => {
            minLon = Math.min(minLon, lon); maxLon = Math.max(maxLon, lon);
            minLat = Math.min(minLat, lat); maxLat = Math.max(maxLat, lat);
        };
        for (const area of city.areas) for (const ring of area.rings) for (let i = 0; i < ring.length; i += 2) grow(ring[i], ring[i + 1]);
        for (const group of [city.sensors, city.cameras, city.elevators]) for (const id in group) grow(group[id][0], group[id][1]);
        this.lon0 = (minLon + maxLon) / 2;
        this.lat0 = (minLat + maxLat) / 2;
        this.cosLat = Math.cos(this.lat0 * Math.PI / 180);
        this.extent = { minX: this.x(minLon), maxX: this.x(maxLon), minY: this.y(maxLat), maxY: this.y(minLat) };

        const project = (ring) => {
            const out = new Float64Array(ring.length);
            for (let i = 0; i < ring.length; i += 2) { out[i] = this.x(ring[i]); out[i + 1] = this.y(ring[i + 1]); }
            return out;
        };
        this.areas = city.areas.map(a => ({ code: a.code, name: a.name, level: a.level, rings: a.rings.map(project) }));
        // Streets are labelled at the middle of their outer ring's bounds: cheap, and inside for the compact shapes of Shanghai's streets.
        for (const area of this.areas) {
            const ring = area.rings[0];
            if (!ring) continue;
            let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
            for (let i = 0; i < ring.length; i += 2) { x0 = Math.min(x0, ring[i]); x1 = Math.max(x1, ring[i]); y0 = Math.min(y0, ring[i + 1]); y1 = Math.max(y1, ring[i + 1]); }
            area.labelX = (x0 + x1) / 2;
            area.labelY = (y0 + y1) / 2;
        }
        this.grids = this.areas.filter(a => a.level === 3);
        const points = (group, kind) => Object.entries(group).map(([id, p]) => ({ id, kind, sensorKind: p[2], lon: p[0], lat: p[1], x: this.x(p[0]), y: this.y(p[1]) }));
        this.sensors = points(city.sensors, "sensor");
        this.cameras = points(city.cameras, "camera");
        this.elevators = points(city.elevators, "elevator");
        // Context: where the commander is (metro lines and stations, elevated roads), drawn under the city's own layers.
        const context = city.context || { metro: [], elevated: [], stations: [], attribution: "" };
        this.metro = context.metro.map(project);
        this.elevated = context.elevated.map(project);
        this.stations = context.stations.map(s => ({ name: s[2], x: this.x(s[0]), y: this.y(s[1]) }));
        this.attribution = context.attribution;
    }

    x(lon) { return (lon - this.lon0) * this.cosLat; }
    y(lat) { return -(lat - this.lat0); }
    lonOf(x) { return x / this.cosLat + this.lon0; }
    latOf(y) { return -y + this.lat0; }

    fit() {
        const width = this.canvas.clientWidth || 800, height = this.canvas.clientHeight || 600;
        const e = this.extent;
        this.scale = 0.92 * Math.min(width / (e.maxX - e.minX), height / (e.maxY - e.minY));
        this.centreX = (e.minX + e.maxX) / 2;
        this.centreY = (e.minY + e.maxY) / 2;
    }

    toScreen(x, y) {
        return [(x - this.centreX) * this.scale + this.canvas.clientWidth / 2, (y - this.centreY) * this.scale + this.canvas.clientHeight / 2];
    }

    fromScreen(sx, sy) {
        return [(sx - this.canvas.clientWidth / 2) / this.scale + this.centreX, (sy - this.canvas.clientHeight / 2) / this.scale + this.centreY];
    }

    /** The pixel (relative to the canvas) of a WGS84 point: for tests and for anything drawn over the map. */
    pixelOf(lon, lat) { return this.toScreen(this.x(lon), this.y(lat)); }

    listen() {
        let drag = null;
        this.canvas.addEventListener("pointerdown", e => {
            drag = { x: e.clientX, y: e.clientY, cx: this.centreX, cy: this.centreY, moved: false };
            this.canvas.setPointerCapture(e.pointerId);
        });
        this.canvas.addEventListener("pointermove", e => {
            if (!drag) return;
            const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
            if (Math.abs(dx) + Math.abs(dy) > DRAG_PIXELS) drag.moved = true;
            if (drag.moved) {
                this.centreX = drag.cx - dx / this.scale;
                this.centreY = drag.cy - dy / this.scale;
                this.redraw();
            }
        });
        this.canvas.addEventListener("pointerup", e => {
            const wasDrag = drag && drag.moved;
            drag = null;
            if (!wasDrag) this.click(e);
        });
        this.canvas.addEventListener("wheel", e => {
            e.preventDefault();
            const rect = this.canvas.getBoundingClientRect();
            const sx = e.clientX - rect.left, sy = e.clientY - rect.top;
            const [px, py] = this.fromScreen(sx, sy);
            this.scale *= Math.exp(-e.deltaY * 0.0015);
            const [qx, qy] = this.fromScreen(sx, sy);
            this.centreX += px - qx;
            this.centreY += py - qy;
            this.redraw();
        }, { passive: false });
        // Keyboard: arrows pan, + and - zoom, Enter inspects the point at the centre of the map.
        this.canvas.addEventListener("keydown", e => {
            const step = 60 / this.scale;
            const moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
            if (moves[e.key]) { this.centreX += moves[e.key][0]; this.centreY += moves[e.key][1]; }
            else if (e.key === "+" || e.key === "=") this.scale *= 1.25;
            else if (e.key === "-") this.scale /= 1.25;
            else if (e.key === "Enter") {
                const rect = this.canvas.getBoundingClientRect();
                this.click({ clientX: rect.left + rect.width / 2, clientY: rect.top + rect.height / 2 });
            }
            else return;
            e.preventDefault();
            this.redraw();
        });
        this.resizeObserver = new ResizeObserver(() => this.resize());
        this.resizeObserver.observe(this.canvas);
    }

    resize() {
        const ratio = window.devicePixelRatio || 1;
        const width = this.canvas.clientWidth, height = this.canvas.clientHeight;
        if (!width || !height) return;
        this.canvas.width = Math.round(width * ratio);
        this.canvas.height = Math.round(height * ratio);
        this.context.setTransform(ratio, 0, 0, ratio, 0, 0);
        this.redraw();
    }

    click(e) {
        const rect = this.canvas.getBoundingClientRect();
        const sx = e.clientX - rect.left, sy = e.clientY - rect.top;
        const hit = this.hit(sx, sy);
        const [x, y] = this.fromScreen(sx, sy);
        const lon = hit ? hit.lon : this.lonOf(x), lat = hit ? hit.lat : this.latOf(y);
        this.selected = { lon, lat };
        this.redraw();
        // The incident panel opens on the other half of the map, so it never covers the point clicked.
        const side = sx > rect.width / 2 ? "left" : "right";
        this.dotnet.invokeMethodAsync("OnMapClicked", lon, lat, hit && hit.kind === "case" ? hit.id : null, hit && hit.kind !== "case" ? hit.id : null, side);
    }

    // The nearest visible case, else the nearest visible device, within a few pixels of the click.
    hit(sx, sy) {
        const nearest = (items) => {
            let best = null, bestDistance = HIT_PIXELS;
            for (const item of items) {
                const [px, py] = this.toScreen(item.x, item.y);
                const distance = Math.hypot(px - sx, py - sy);
                if (distance < bestDistance) { best = item; bestDistance = distance; }
            }
            return best;
        };
        if (this.layers.cases && !this.past) {
            const hit = nearest(this.cases.values());
            if (hit) return hit;
        }
        const devices = [];
        if (this.layers.sensors) devices.push(...this.sensors.filter(s => !this.layers.floodOnly || FLOOD_KINDS.has(s.sensorKind)));
        if (this.layers.cameras) devices.push(...this.cameras);
        if (this.layers.elevators) devices.push(...this.elevators);
        return nearest(devices);
    }

    /** Applies live changes: grid index values, device states, cases (null removes a finished case). */
    update(delta) {
        if (delta.gridsReplaced) this.gridValues.clear();
        for (const code in delta.grids || {}) this.gridValues.set(code, delta.grids[code]);
        for (const id in delta.devices || {}) this.deviceStates.set(id, delta.devices[id]);
        for (const id in delta.cases || {}) {
            const c = delta.cases[id];
            if (c === null) this.cases.delete(id);
            else this.cases.set(id, { id, kind: "case", lon: c[0], lat: c[1], urgency: c[2], overdue: c[3] === 1, x: this.x(c[0]), y: this.y(c[1]) });
        }
        this.redraw();
    }

    /** Shows a past moment: grid index values by code and the sensors then in alarm (level by id). */
    showPast(state) {
        this.past = { grids: new Map(Object.entries(state.grids || {})), sensors: new Map(Object.entries(state.sensors || {})) };
        this.canvas.dataset.view = "past";
        this.redraw();
    }

    showLive() {
        this.past = null;
        this.canvas.dataset.view = "live";
        this.redraw();
    }

    /** The fill of a grid as drawn now (the past moment's while one is shown): for tests that cannot look at pixels. */
    colourOf(code) {
        return indexColour((this.past ? this.past.grids : this.gridValues).get(code));
    }

    setLayers(layers) {
        this.layers = layers;
        this.redraw();
    }

    select(lon, lat) {
        this.selected = lon === null ? null : { lon, lat };
        this.redraw();
    }

    redraw() {
        if (this.frame) return;
        this.frame = requestAnimationFrame(() => { this.frame = 0; this.draw(); });
    }

    draw() {
        const ctx = this.context, width = this.canvas.clientWidth, height = this.canvas.clientHeight;
        ctx.fillStyle = "#0b1626";
        ctx.fillRect(0, 0, width, height);
        const counts = { grids: 0, coloured: 0, sensors: 0, cameras: 0, elevators: 0, cases: 0, alarms: 0 };
        // The past moment's grids and sensor levels while one is shown; cameras and lifts drawn without a state
        // and cases left out then, since the slider does not replay them.
        const gridValues = this.past ? this.past.grids : this.gridValues;
        const sensorLevel = this.past ? (id => this.past.sensors.get(id) || 0) : (id => this.deviceStates.get(id) || 0);
        const deviceState = this.past ? (() => undefined) : (id => this.deviceStates.get(id));

        const path = (area) => {
            ctx.beginPath();
            for (const ring of area.rings) {
                for (let i = 0; i < ring.length; i += 2) {
                    const [sx, sy] = this.toScreen(ring[i], ring[i + 1]);
                    if (i === 0) ctx.moveTo(sx, sy); else ctx.lineTo(sx, sy);
                }
                ctx.closePath();
            }
        };
        if (this.layers.grids) {
            ctx.lineWidth = 0.5;
            ctx.strokeStyle = "rgba(11,22,38,0.9)";
            for (const grid of this.grids) {
                path(grid);
                const value = gridValues.get(grid.code);
                if (value !== undefined) counts.coloured++;
                ctx.fillStyle = indexColour(value);
                ctx.fill("evenodd");
                if (this.scale > 4000) ctx.stroke();
                counts.grids++;
            }
        }
        // The worst grids outlined in red over their fill: visible at city scale, where a grid is a few pixels.
        let worst = 0;
        if (this.layers.grids) {
            ctx.lineWidth = 2;
            ctx.strokeStyle = "#ff4d4f";
            for (const grid of this.grids) {
                const value = gridValues.get(grid.code);
                if (value === undefined || value >= WORST_BELOW) continue;
                path(grid);
                ctx.stroke();
                // At city scale a 250 m grid is a few pixels: a ring around it makes it seen from across the room.
                if (this.scale < 4000 && grid.labelX !== undefined) {
                    const [cx, cy] = this.toScreen(grid.labelX, grid.labelY);
                    ctx.beginPath(); ctx.arc(cx, cy, 9, 0, 2 * Math.PI); ctx.stroke();
                }
                worst++;
            }
        }
        counts.worst = worst;
        const line = (flat) => {
            ctx.beginPath();
            for (let i = 0; i < flat.length; i += 2) {
                const [sx, sy] = this.toScreen(flat[i], flat[i + 1]);
                if (i === 0) ctx.moveTo(sx, sy); else ctx.lineTo(sx, sy);
            }
            ctx.stroke();
        };
        // Context stays quiet beside the city's own layers: thin and translucent.
        ctx.lineWidth = 1;
        ctx.strokeStyle = "rgba(214,160,92,0.45)";
        for (const road of this.elevated) line(road);
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = "rgba(94,200,230,0.5)";
        for (const metro of this.metro) line(metro);
        counts.metro = this.metro.length;
        counts.stations = 0;
        ctx.fillStyle = "rgba(230,247,251,0.7)";
        ctx.strokeStyle = "rgba(11,22,38,0.9)";
        ctx.lineWidth = 1;
        for (const station of this.stations) {
            const [sx, sy] = this.toScreen(station.x, station.y);
            if (sx < -10 || sy < -10 || sx > width + 10 || sy > height + 10) continue;
            ctx.beginPath(); ctx.arc(sx, sy, 2.5, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
            counts.stations++;
        }
        for (const area of this.areas) {
            if (area.level === 3 || area.level === 0) continue;
            path(area);
            ctx.lineWidth = area.level === 1 ? 3 : 1.2;
            ctx.strokeStyle = area.level === 1 ? "rgba(230,240,255,0.95)" : "rgba(170,200,240,0.7)";
            ctx.stroke();
        }

        const size = Math.max(2, Math.min(6, this.scale / 2500));
        const visible = (sx, sy) => sx > -10 && sy > -10 && sx < width + 10 && sy < height + 10;
        if (this.layers.cameras) {
            for (const camera of this.cameras) {
                const [sx, sy] = this.toScreen(camera.x, camera.y);
                counts.cameras++;
                if (!visible(sx, sy)) continue;
                ctx.fillStyle = deviceState(camera.id) === 0 ? "#6b7280" : "#d8e2f0";
                ctx.fillRect(sx - size / 2, sy - size / 2, size, size);
            }
        }
        if (this.layers.elevators) {
            for (const elevator of this.elevators) {
                const [sx, sy] = this.toScreen(elevator.x, elevator.y);
                counts.elevators++;
                if (!visible(sx, sy)) continue;
                const status = deviceState(elevator.id) || 0;
                ctx.fillStyle = ELEVATOR_COLOURS[status];
                const s = status === 2 ? size * 2 : size;
                ctx.beginPath();
                ctx.moveTo(sx, sy - s); ctx.lineTo(sx + s, sy + s * 0.8); ctx.lineTo(sx - s, sy + s * 0.8);
                ctx.fill();
            }
        }
        if (this.layers.sensors) {
            const alarms = [];
            for (const sensor of this.sensors) {
                if (this.layers.floodOnly && !FLOOD_KINDS.has(sensor.sensorKind)) continue;
                counts.sensors++;
                const level = sensorLevel(sensor.id);
                if (level > 0) { alarms.push([sensor, level]); continue; }
                const [sx, sy] = this.toScreen(sensor.x, sensor.y);
                if (!visible(sx, sy)) continue;
                ctx.fillStyle = LEVEL_COLOURS[0];
                ctx.beginPath(); ctx.arc(sx, sy, size * 0.6, 0, 2 * Math.PI); ctx.fill();
            }
            for (const [sensor, level] of alarms) {
                const [sx, sy] = this.toScreen(sensor.x, sensor.y);
                counts.alarms++;
                ctx.fillStyle = LEVEL_COLOURS[level];
                ctx.strokeStyle = "rgba(255,255,255,0.9)";
                ctx.lineWidth = 1.5;
                ctx.beginPath(); ctx.arc(sx, sy, size * 1.4 + 2, 0, 2 * Math.PI); ctx.fill(); ctx.stroke();
            }
        }
        if (this.layers.cases && !this.past) {
            for (const c of this.cases.values()) {
                const [sx, sy] = this.toScreen(c.x, c.y);
                counts.cases++;
                if (!visible(sx, sy)) continue;
                const s = size * 1.3 + 1;
                ctx.fillStyle = URGENCY_COLOURS[c.urgency] || URGENCY_COLOURS[0];
                ctx.beginPath();
                ctx.moveTo(sx, sy - s); ctx.lineTo(sx + s, sy); ctx.lineTo(sx, sy + s); ctx.lineTo(sx - s, sy);
                ctx.closePath(); ctx.fill();
                if (c.overdue) { ctx.strokeStyle = "#eb5757"; ctx.lineWidth = 2; ctx.stroke(); }
            }
        }
        ctx.font = "600 13px 'Noto Sans CJK SC', sans-serif";
        ctx.textAlign = "center";
        ctx.lineWidth = 3;
        ctx.strokeStyle = "rgba(11,22,38,0.85)";
        ctx.fillStyle = "#f4f6fb";
        for (const area of this.areas) {
            if (area.level !== 2 || area.labelX === undefined) continue;
            const [sx, sy] = this.toScreen(area.labelX, area.labelY);
            ctx.strokeText(area.name, sx, sy);
            ctx.fillText(area.name, sx, sy);
        }
        // Station names once zoomed in enough to read them without clutter.
        if (this.scale > 6000) {
            ctx.font = "12px 'Noto Sans CJK SC', sans-serif";
            ctx.textAlign = "left";
            ctx.lineWidth = 3;
            ctx.strokeStyle = "rgba(11,22,38,0.85)";
            ctx.fillStyle = "#bfeaf5";
            for (const station of this.stations) {
                const [sx, sy] = this.toScreen(station.x, station.y);
                ctx.strokeText(station.name, sx + 5, sy - 4);
                ctx.fillText(station.name, sx + 5, sy - 4);
            }
        }
        if (this.attribution) {
            ctx.font = "11px sans-serif";
            ctx.textAlign = "right";
            ctx.fillStyle = "rgba(200,210,225,0.8)";
            // Above the time slider along the map's foot, when there is one: the attribution stays readable.
            const foot = this.canvas.parentElement && this.canvas.parentElement.querySelector(".time-slider");
            ctx.fillText(this.attribution, width - 8, height - 8 - (foot ? foot.offsetHeight + 8 : 0));
            this.canvas.dataset.attribution = this.attribution;
        }
        if (this.selected) {
            const [sx, sy] = this.pixelOf(this.selected.lon, this.selected.lat);
            ctx.strokeStyle = "#ffffff";
            ctx.lineWidth = 2;
            ctx.beginPath(); ctx.arc(sx, sy, 10, 0, 2 * Math.PI); ctx.stroke();
            ctx.beginPath(); ctx.moveTo(sx - 16, sy); ctx.lineTo(sx + 16, sy); ctx.moveTo(sx, sy - 16); ctx.lineTo(sx, sy + 16); ctx.stroke();
        }
        // What was drawn, for the legend and for tests that cannot look at pixels.
        for (const key in counts) this.canvas.dataset[key] = counts[key];
        this.canvas.dataset.drawn = "true";
    }

    dispose() {
        this.resizeObserver.disconnect();
        if (this.frame) cancelAnimationFrame(this.frame);
        this.dotnet = null;
    }
}

export async function create(canvas, dotnet, url) {
    const response = await fetch(url);
    if (!response.ok) throw new Error(`The city's map data could not be read from ${url}: ${response.status}`);
    const map = new TwinMap(canvas, dotnet, await response.json());
    canvas.twinMap = map;
    return map;
}
