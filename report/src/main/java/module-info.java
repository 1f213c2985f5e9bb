/**
 * Self-contained HTML report pages (inline CSS and SVG charts, no scripts, nothing fetched), shared by the
 * application's reports and by plugins that write their own pages; knows no method.
 */
module dev.loupe.report {
    requires dev.loupe.io;

    exports dev.loupe.report;
}
