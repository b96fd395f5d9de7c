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

// Keeps a log view scrolled to its end while new lines arrive, until the reader scrolls up; back at the end, it sticks again.
window.portal.stickToBottom = function (element) {
    let stick = true;
    element.addEventListener('scroll', () => {
        stick = element.scrollTop + element.clientHeight >= element.scrollHeight - 24;
    });
    new MutationObserver(() => { if (stick) element.scrollTop = element.scrollHeight; })
        .observe(element, { childList: true, subtree: true });
    element.scrollTop = element.scrollHeight;
};

// The console's light or dark theme, remembered by this browser.
window.portal.theme = {
    get: function () { try { return localStorage.getItem('portal.theme'); } catch (e) { return null; } },
    set: function (value) { try { localStorage.setItem('portal.theme', value); } catch (e) { } },
    systemPrefersDark: function () { return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches; }
};
