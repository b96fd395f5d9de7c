// Browser-side helpers the Blazor pages call through JS interop. Kept small: everything else runs on the server.
window.portal = (function () {
    let currentUpload = null;

    // Tells the page which files were chosen (name and size only: the bytes go straight to the API).
    function watchFiles(input, dotnet) {
        const report = () => dotnet.invokeMethodAsync('OnFilesChosen',
            Array.from(input.files).map(f => ({ name: f.name, size: f.size })));
        input.addEventListener('change', report);
        if (input.files.length > 0) report();
    }

    // Sends fields first, then files, as multipart/form-data with XHR so upload progress can be shown.
    // Resolves to { status, body } whatever the outcome; the page turns problem details into field errors.
    // The page's antiforgery token goes in a header: the API refuses cookie-authenticated changes without it.
    function upload(input, url, fields, dotnet, antiforgery) {
        return new Promise(resolve => {
            const form = new FormData();
            for (const [key, value] of Object.entries(fields)) form.append(key, value ?? '');
            for (const file of input.files) form.append('files', file, file.name);

            const xhr = new XMLHttpRequest();
            currentUpload = xhr;
            let lastReport = 0;
            xhr.upload.addEventListener('progress', e => {
                const now = Date.now();
                if (!e.lengthComputable || (now - lastReport < 100 && e.loaded < e.total)) return;
                lastReport = now;
                dotnet.invokeMethodAsync('OnUploadProgress', e.loaded, e.total);
            });
            xhr.addEventListener('load', () => { currentUpload = null; resolve({ status: xhr.status, body: xhr.responseText }); });
            xhr.addEventListener('error', () => { currentUpload = null; resolve({ status: 0, body: 'The connection to the portal was lost during the upload.' }); });
            xhr.addEventListener('abort', () => { currentUpload = null; resolve({ status: -1, body: 'The upload was cancelled.' }); });
            xhr.open('POST', url);
            xhr.setRequestHeader('Accept', 'application/json');
            if (antiforgery) xhr.setRequestHeader('RequestVerificationToken', antiforgery);
            xhr.send(form);
        });
    }

    function cancelUpload() {
        if (currentUpload) currentUpload.abort();
    }

    return { watchFiles, upload, cancelUpload };
})();

// The console's light or dark theme, remembered by this browser.
window.portal.theme = {
    get: function () { try { return localStorage.getItem('portal.theme'); } catch (e) { return null; } },
    set: function (value) { try { localStorage.setItem('portal.theme', value); } catch (e) { } },
    systemPrefersDark: function () { return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches; }
};

// Live logs: the server sends lines in batches and this appends them to the DOM itself (Blazor's renderer never sees them),
// keeps the newest `max`, filters as the reader types, counts, and sticks to the bottom unless the reader scrolled up.
window.portal.logView = (function () {
    const views = new WeakMap();
    // Lines go in chunks whose layout the browser skips while they are off screen (content-visibility): appending to a long
    // log then costs the newest chunk's layout, not the whole log's. Every line stays in the DOM, so find-in-page works.
    const chunkSize = 200;

    function attach(view, search, max, countId) {
        // The lines live in a shadow root: the page's style sheets are not matched against every
        // appended line, which made appending more than ten times slower on a full page (benchmarks/log-streaming.sh).
        const host = view.querySelector('.log-lines');
        const root = host.shadowRoot || host.attachShadow({ mode: 'open' });
        root.innerHTML = '<style>:host { display: block; } div { white-space: pre-wrap; word-break: break-all; min-height: 1.2em; }'
            + ' .chunk { content-visibility: auto; contain-intrinsic-size: auto 240px; }'
            + ' .stderr { color: #ff9b8f; } .muted { color: #8b95a5; }</style><div class="notice muted"></div><div class="lines"></div>';
        const state = { view, lines: root.querySelector('.lines'), notice: root.querySelector('.notice'), max, count: 0, kept: 0, dropped: 0,
            filter: '', stick: true, ended: false, counter: document.getElementById(countId), pending: [], frame: 0 };
        view.addEventListener('scroll', () => {
            state.stick = view.scrollTop + view.clientHeight >= view.scrollHeight - 24;
        });
        if (search) search.addEventListener('input', () => { state.filter = search.value.toLowerCase(); refilter(state); });
        views.set(view, state);
    }

    function matches(state, text) { return !state.filter || text.toLowerCase().includes(state.filter); }

    function refilter(state) {
        for (const chunk of state.lines.children) for (const line of chunk.children) line.hidden = !matches(state, line.textContent);
        show(state);
    }

    function show(state) {
        if (state.counter) state.counter.textContent = `${state.count} lines${state.ended ? '' : ' · following'}`;
        if (state.dropped > 0) state.notice.textContent = `… ${state.dropped} earlier lines (download the log to see them all)`;
    }

    // Lines are queued and put in the DOM once per frame: however many batches arrive, the page lays out once per frame.
    function append(view, texts, streams) {
        const state = views.get(view);
        if (!state) return;
        state.pending.push([texts, streams]);
        schedule(state);
    }

    // A frame, or 100 ms if the browser skips frames (a page in the background): lines reach the DOM either way.
    function schedule(state) {
        if (state.frame) return;
        state.frame = requestAnimationFrame(() => flush(state));
        state.timer = setTimeout(() => flush(state), 100);
    }

    // One line from the hub joins the batch being gathered for the next frame.
    function queue(state, text, stderr) {
        let last = state.pending[state.pending.length - 1];
        if (!last || !last.open) { last = [[], '']; last.open = true; state.pending.push(last); }
        last[0].push(text);
        last[1] += stderr ? '1' : '0';
        schedule(state);
    }

    // Logs kept by the portal (trainings, builds) come straight from /hubs/logs, the path scripts and the CLI use: one
    // connection per page, a stream per log that resumes from the next sequence number after a reconnect, and nothing
    // of it in the Blazor circuit. Returns false when the SignalR client is not there (the circuit then sends the lines).
    let hub = null, hubStart = null;
    const following = new Set();

    function connection() {
        if (!hubStart) {
            hub = new signalR.HubConnectionBuilder().withUrl('/hubs/logs').withAutomaticReconnect([0, 1000, 2000, 5000, 10000, 20000]).build();
            hub.onreconnected(() => { for (const state of following) state.open(); });
            hubStart = hub.start();
        }
        return hubStart.then(() => hub);
    }

    function follow(view, method, args) {
        const state = views.get(view);
        if (!state || !window.signalR) return false;
        let next = 0;
        state.open = () => connection().then(c => {
            state.subscription = c.stream(method, ...args, next).subscribe({
                next: batch => {
                    for (const line of batch) queue(state, line.text, line.stream === 1);
                    if (batch.length) next = batch[batch.length - 1].seq + 1;
                },
                complete: () => { following.delete(state); end(view, ''); },
                // A lost connection is not the log's end: the reconnect opens the stream again from `next`.
                error: e => { if (c.state === signalR.HubConnectionState.Connected) { following.delete(state); end(view, e.message || String(e)); } },
            });
        }).catch(e => { following.delete(state); end(view, `The live log could not be opened: ${e.message || e}`); });
        following.add(state);
        state.open();
        return true;
    }

    // The page leaves the log (Blazor navigated away): its stream on the shared connection is closed.
    function stop(view) {
        const state = views.get(view);
        if (!state) return;
        following.delete(state);
        if (state.subscription) state.subscription.dispose();
        views.delete(view);
    }

    function newChunk() {
        const chunk = document.createElement('div');
        chunk.className = 'chunk';
        return chunk;
    }

    function flush(state) {
        cancelAnimationFrame(state.frame);
        clearTimeout(state.timer);
        state.frame = 0;
        const made = [];
        for (const [texts, streams] of state.pending) {
            for (let i = 0; i < texts.length; i++) {
                const line = document.createElement('div');
                line.className = streams.charCodeAt(i) === 49 ? 'log-line stderr' : 'log-line';
                line.textContent = texts[i];
                if (state.filter && !matches(state, texts[i])) line.hidden = true;
                made.push(line);
            }
        }
        state.pending = [];
        state.count += made.length;
        state.kept += made.length;
        let next = 0;
        const last = state.lines.lastElementChild;
        if (last && last.childElementCount < chunkSize) {
            next = Math.min(chunkSize - last.childElementCount, made.length);
            last.append(...made.slice(0, next));
        }
        const chunks = [];
        for (; next < made.length; next += chunkSize) {
            const chunk = newChunk();
            chunk.append(...made.slice(next, next + chunkSize));
            chunks.push(chunk);
        }
        if (chunks.length) state.lines.append(...chunks);
        trim(state);
        show(state);
        if (state.stick) state.view.scrollTop = state.view.scrollHeight;
    }

    // The oldest lines beyond `max` leave, whole chunks at once where they can.
    function trim(state) {
        let excess = state.kept - state.max;
        if (excess <= 0) return;
        state.dropped += excess;
        state.kept -= excess;
        while (excess > 0) {
            const first = state.lines.firstElementChild;
            if (first.childElementCount <= excess) { excess -= first.childElementCount; first.remove(); continue; }
            while (excess-- > 0) first.firstElementChild.remove();
        }
    }

    function end(view, message) {
        const state = views.get(view);
        if (!state) return;
        if (state.frame) flush(state);
        state.ended = true;
        show(state);
        if (state.count === 0 || message) {
            const note = newChunk();
            const text = document.createElement('div');
            text.className = 'muted';
            text.textContent = message || 'No output.';
            note.appendChild(text);
            state.lines.appendChild(note);
        }
    }

    return { attach, append, end, follow, stop };
})();
