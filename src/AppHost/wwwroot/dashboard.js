// Small browser-side helpers for the dashboard pages, called through JS interop.
window.dashboard = {
    // Keeps a log view at its newest line.
    scrollToEnd: element => { if (element) { element.scrollTop = element.scrollHeight; } },

    // Saves text as a file, e.g. the console lines on screen.
    download: (fileName, text) => {
        const url = URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }));
        const link = Object.assign(document.createElement('a'), { href: url, download: fileName });
        document.body.appendChild(link);
        link.click();
        link.remove();
        URL.revokeObjectURL(url);
    },
};
