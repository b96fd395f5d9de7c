// The lineage graph: cytoscape.js (from npm, served at /assets/lib) draws what the Blazor page hands it.
// The page owns the data; this file only draws, merges expansions in, and reports clicks back.
window.portalLineage = (function () {
    const graphs = new WeakMap();
    let loading = null;

    function loadCytoscape() {
        if (window.cytoscape) return Promise.resolve(true);
        if (!loading) {
            loading = new Promise(resolve => {
                const script = document.createElement('script');
                script.src = 'assets/lib/cytoscape.min.js';
                script.onload = () => resolve(true);
                script.onerror = () => resolve(false);
                document.head.appendChild(script);
            });
        }
        return loading;
    }

    const colours = { dataset: '#00897b', training: '#1e88e5', version: '#8e24aa', deployment: '#43a047', build: '#757575', package: '#6d4c41' };
    const shapes = { dataset: 'barrel', training: 'round-rectangle', version: 'diamond', deployment: 'hexagon', build: 'rectangle', package: 'tag' };

    function label(node, hidden) {
        const envs = node.environments && node.environments.length ? ' [' + node.environments.join(', ') + ']' : '';
        const more = hidden && hidden[node.id] ? ' +' + hidden[node.id] : '';
        return node.label + envs + more;
    }

    function elements(nodes, edges, hidden, root) {
        return nodes.map(n => ({
            group: 'nodes',
            data: { id: n.id, kind: n.kind, label: label(n, hidden), colour: colours[n.kind] || '#555', shape: shapes[n.kind] || 'ellipse' },
            classes: [n.kind, n.id === root ? 'root' : '', (n.environments || []).length > 1 ? 'promoted' : '', n.state || ''].join(' ').trim(),
        })).concat(edges.map(e => ({
            group: 'edges',
            data: { id: e.source + '>' + e.target + ':' + e.relation, source: e.source, target: e.target, relation: e.relation },
        })));
    }

    const style = [
        { selector: 'node', style: {
            'background-color': 'data(colour)', 'shape': 'data(shape)', 'label': 'data(label)', 'font-size': 11,
            'text-valign': 'bottom', 'text-margin-y': 4, 'width': 26, 'height': 26, 'color': '#222',
            'text-background-color': '#fff', 'text-background-opacity': 0.8, 'text-background-padding': 1 } },
        { selector: 'node.root', style: { 'border-width': 4, 'border-color': '#ff9800', 'width': 34, 'height': 34 } },
        { selector: 'node.promoted', style: { 'border-width': 3, 'border-color': '#fbc02d' } },
        { selector: 'node.failed', style: { 'background-color': '#e53935' } },
        { selector: 'node:selected', style: { 'overlay-color': '#ff9800', 'overlay-opacity': 0.25 } },
        { selector: 'edge', style: {
            'width': 1.5, 'line-color': '#9e9e9e', 'target-arrow-color': '#9e9e9e', 'target-arrow-shape': 'triangle',
            'curve-style': 'bezier', 'label': 'data(relation)', 'font-size': 10, 'color': '#333', 'text-rotation': 'autorotate',
            // A label drawn over the line and its neighbours is unreadable without a background of its own.
            'text-background-color': '#ffffff', 'text-background-opacity': 0.9, 'text-background-padding': 2, 'text-background-shape': 'roundrectangle' } },
    ];

    function layout(cy) {
        const roots = cy.nodes().filter(n => n.indegree(false) === 0);
        cy.layout({ name: 'breadthfirst', directed: true, roots: roots.length ? roots : undefined, spacingFactor: 1.1, animate: false, padding: 30 }).run();
        // A small graph would otherwise be zoomed in until its labels are huge.
        if (cy.zoom() > 1.2) { cy.zoom(1.2); cy.center(); }
    }

    // Draws a graph into element; returns false when cytoscape could not be loaded (the page then says so).
    async function render(element, graph, dotnet) {
        if (!(await loadCytoscape())) return false;
        const existing = graphs.get(element);
        if (existing) existing.destroy();
        const cy = window.cytoscape({
            container: element, style, wheelSensitivity: 0.3, minZoom: 0.05, maxZoom: 2.5,
            elements: elements(graph.nodes, graph.edges, graph.hidden, graph.root),
        });
        cy.on('tap', 'node', e => dotnet.invokeMethodAsync('OnNodeSelected', e.target.id()));
        cy.on('dbltap', 'node', e => dotnet.invokeMethodAsync('OnNodeExpand', e.target.id()));
        layout(cy);
        cy.getElementById(graph.root).select();
        element.dataset.nodes = cy.nodes().length;
        graphs.set(element, cy);
        return true;
    }

    // Merges an expansion in: new nodes and edges are added, labels of known nodes refreshed (their "+N" changes).
    function merge(element, graph) {
        const cy = graphs.get(element);
        if (!cy) return;
        const fresh = elements(graph.nodes, graph.edges, graph.hidden, graph.root);
        cy.batch(() => {
            for (const el of fresh) {
                const known = cy.getElementById(el.data.id);
                if (known.length) { if (el.group === 'nodes') known.data('label', el.data.label); }
                else cy.add(el);
            }
        });
        layout(cy);
        element.dataset.nodes = cy.nodes().length;
    }

    function focus(element, id) {
        const cy = graphs.get(element);
        if (!cy) return;
        const node = cy.getElementById(id);
        cy.elements().unselect();
        node.select();
        cy.animate({ center: { eles: node }, duration: 200 });
    }

    function dispose(element) {
        const cy = graphs.get(element);
        if (cy) { cy.destroy(); graphs.delete(element); }
    }

    return { render, merge, focus, dispose };
})();
