import EventAPI

/// The weekly schedule as one self-contained HTML page: a table by day and part of the day
/// that prints on A4 (landscape, the heading row repeated on each page, no row split across
/// pages) and becomes a column of blocks on a phone. Nothing in it depends on the time it was
/// made, so the same schedule is the same bytes and the same ETag.
enum ScheduleHTML {
    static func render(_ view: ScheduleView) -> String {
        let w = view.labels
        func word(_ key: String) -> String { escape(w[key] ?? key) }
        var html = """
            <!DOCTYPE html>
            <html lang="\(view.lang)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escape(pageTitle(view)))</title>
            <style>\(css)</style>
            </head>
            <body>
            <header>

            """
        if !view.scope.isEmpty { html += "<p class=\"org\">\(escape(view.scope))</p>\n" }
        html += "<h1>\(escape(view.title))</h1>\n<p class=\"sub\">\(escape(view.subtitle))</p>\n"
        if let published = view.published {
            let at = dayFirst(published.at) + " " + String(published.at.dropFirst(11).prefix(5))
            let edition = view.changes == 0 ? "" : " — \(word("revision")) \(published.revision)"
            html += "<p class=\"rev\">\(word("published")) \(escape(at))\(edition): \(view.changes) \(word("changes"))</p>\n"
        }
        // Issue 20: a schedule with no entry at all (an organisation with nothing that week)
        // printed as a bare grid; it says so under the heading, where a reader looks first.
        let entries = view.days.reduce(0) { $0 + $1.parts.reduce(0) { $0 + $1.entries.count } }
        if entries == 0 { html += "<p class=\"empty\">\(word("empty"))</p>\n" }
        html += """
            </header>
            <table>
            <colgroup><col class="c-day"><col class="c-part"><col class="c-time"><col class="c-what"><col class="c-who"><col class="c-where"><col class="c-prep"></colgroup>
            <thead><tr><th>\(word("day"))</th><th>\(word("part"))</th><th>\(word("time"))</th><th>\(word("content"))</th><th>\(word("people"))</th><th>\(word("place"))</th><th>\(word("prepare"))</th></tr></thead>

            """
        for day in view.days {
            let count = day.parts.reduce(0) { $0 + $1.entries.count }
            if count == 0, day.weekend { continue }
            let dayCell = "<th scope=\"rowgroup\" class=\"day\" rowspan=\"\(max(count, 1))\">\(escape(day.weekday))<br><span>\(escape(day.dayFirst))</span></th>"
            html += "<tbody id=\"d\(day.date)\">\n"
            if count == 0 {
                html += "<tr>\(dayCell)<td class=\"none\" colspan=\"6\">\(word("nothing"))</td></tr>\n</tbody>\n"
                continue
            }
            var first = true
            for part in day.parts {
                for (index, entry) in part.entries.enumerated() {
                    var classes = ["entry"]
                    if let change = entry.change { classes.append(change) }
                    if entry.status == "cancelled", entry.change != "cancelled" { classes.append("cancelled") }
                    html += "<tr class=\"\(classes.joined(separator: " "))\">"
                    if first { html += dayCell }
                    first = false
                    if index == 0 { html += "<td class=\"part\" rowspan=\"\(part.entries.count)\">\(escape(part.label))</td>" }
                    // A whole-day entry's time is its part ("Cả ngày"): said once, in the part's cell.
                    let time = entry.time == part.label ? "" : entry.time
                    html += "<td class=\"time\" data-label=\"\(word("time"))\">\(escape(time))</td>"
                    html += "<td class=\"what\">\(what(entry, w))</td>"
                    html += "<td class=\"who\" data-label=\"\(word("people"))\">\(who(entry, w))</td>"
                    html += "<td class=\"where\" data-label=\"\(word("place"))\">\(place(entry, w))</td>"
                    html += "<td class=\"prep\" data-label=\"\(word("prepare"))\">\(escape(entry.prepare ?? ""))</td>"
                    html += "</tr>\n"
                }
            }
            html += "</tbody>\n"
        }
        html += "</table>\n"
        if view.published != nil {
            html += """
                <p class="legend">\(word("legend")): <span class="mark new">\(word("new"))</span> \
                <span class="mark moved">\(word("moved"))</span> \
                <span class="mark cancelled">\(word("cancelled"))</span></p>

                """
        }
        html += "</body>\n</html>\n"
        return html
    }

    static func pageTitle(_ view: ScheduleView) -> String {
        view.scope.isEmpty ? "\(view.title) — \(view.subtitle)" : "\(view.title) — \(view.scope)"
    }

    private static func what(_ e: ScheduleEntry, _ w: [String: String]) -> String {
        var out = ""
        if let change = e.change { out += "<span class=\"mark \(change)\">\(escape(w[change] ?? change))</span> " }
        if e.status == "tentative" { out += "<span class=\"mark tentative\">\(escape(w["tentative"] ?? ""))</span> " }
        out += "<span class=\"title\">\(escape(e.title))</span>"
        if let parent = e.eventTitle { out += "<span class=\"of\">\(escape(w["session"] ?? "")) \(escape(w["of"] ?? "")) \(escape(parent))</span>" }
        if !e.sessions.isEmpty {
            out += "<ul class=\"slots\">"
            for s in e.sessions {
                let extra = [s.room, s.speakers.isEmpty ? nil : s.speakers.joined(separator: ", ")].compactMap { $0 }.joined(separator: " — ")
                out += "<li><span class=\"t\">\(escape(s.time))</span> \(escape(s.title))\(extra.isEmpty ? "" : " <span class=\"x\">(\(escape(extra)))</span>")</li>"
            }
            out += "</ul>"
        }
        if let was = e.was, !was.isEmpty { out += "<span class=\"was\">\(escape(w["was"] ?? "")): \(escape(was))</span>" }
        if let to = e.movedTo { out += "<span class=\"was\">\(escape(w["movedTo"] ?? "")): \(escape(to))</span>" }
        return out
    }

    private static func who(_ e: ScheduleEntry, _ w: [String: String]) -> String {
        var out = ""
        if !e.chairs.isEmpty { out += "<span class=\"chair\"><b>\(escape(w["chair"] ?? "")):</b> \(escape(e.chairs.joined(separator: ", ")))</span>" }
        if !e.attendees.isEmpty {
            // The label shows only where cells become blocks (on a phone), as the column heading says it elsewhere.
            out += "<span class=\"others\"><b class=\"lbl\">\(escape(w["people"] ?? "")):</b> \(escape(e.attendees.joined(separator: "; ")))</span>"
        }
        return out
    }

    private static func place(_ e: ScheduleEntry, _ w: [String: String]) -> String {
        var parts = [e.room, e.location].compactMap { $0 }.map(escape)
        if let link = e.link {
            parts.append("<a href=\"\(escape(link))\">\(escape(w["online"] ?? "online"))</a>")
        }
        return parts.joined(separator: ", ")
    }

    /// `2017-03-03…` as `03/03/2017`.
    private static func dayFirst(_ iso: String) -> String {
        let c = Array(iso)
        guard c.count >= 10 else { return iso }
        return "\(String(c[8...9]))/\(String(c[5...6]))/\(String(c[0...3]))"
    }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// Print first (A4 landscape, 10 pt, the heading row on every page), then the screen, then
    /// narrow screens, where each row becomes a block under its day. Plain colours, no custom
    /// properties: WeasyPrint 57 (Debian 12) drops `var()` inside shorthands such as `border`.
    static let css = """

        @page { size: A4 landscape; margin: 12mm 10mm 14mm;
          @bottom-right { content: counter(page) " / " counter(pages); font: 8pt sans-serif; color: #555; } }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 80rem; padding: 1rem 1.25rem 2rem; color: #1b1b1b; background: #fff;
          font: 15px/1.4 "Times New Roman", "Liberation Serif", "DejaVu Serif", serif; }
        header { text-align: center; margin-bottom: .8rem; }
        .org { margin: 0; font-weight: bold; text-transform: uppercase; letter-spacing: .02em; }
        h1 { margin: .3rem 0 .1rem; font-size: 1.45rem; letter-spacing: .03em; color: #1d3557; }
        .sub { margin: 0; font-style: italic; }
        .empty { margin: .6rem 0 0; font-weight: bold; }
        .rev { margin: .3rem 0 0; font-size: .9rem; color: #444; }
        table { width: 100%; border-collapse: collapse; table-layout: fixed; }
        col.c-day { width: 8%; } col.c-part { width: 7%; } col.c-time { width: 9%; } col.c-what { width: 34%; }
        col.c-who { width: 19%; } col.c-where { width: 13%; } col.c-prep { width: 10%; }
        th, td { border: 1px solid #6b6b6b; padding: .3rem .4rem; vertical-align: top; text-align: left; overflow-wrap: anywhere; }
        thead th { background: #e9edf2; text-align: center; font-size: .9rem; }
        thead { display: table-header-group; }
        tr { break-inside: avoid; page-break-inside: avoid; }
        th.day { text-align: center; background: #f6f7f9; }
        th.day span { font-weight: normal; font-size: .9rem; white-space: nowrap; }
        td.part { text-align: center; font-weight: bold; }
        td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
        td.none { color: #666; font-style: italic; }
        .title { font-weight: bold; }
        .of, .was { display: block; font-size: .85rem; }
        .of { color: #444; }
        .was { color: #9a5200; }
        .chair, .others { display: block; }
        .lbl { display: none; }
        .slots { margin: .2rem 0 0; padding-left: 1rem; font-size: .88rem; }
        .slots .t { font-variant-numeric: tabular-nums; }
        .slots .x { color: #444; }
        .mark { display: inline-block; padding: 0 .35em; margin-right: .3em; border-radius: .2em; color: #fff;
          font: bold .72rem/1.5 "DejaVu Sans", Arial, sans-serif; text-transform: uppercase; vertical-align: .1em;
          -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        .mark.new { background: #116b2f; } .mark.moved { background: #9a5200; } .mark.cancelled { background: #b00020; }
        .mark.tentative { background: #666; }
        tr.new td.what { box-shadow: inset 3px 0 #116b2f; }
        tr.moved td.what { box-shadow: inset 3px 0 #9a5200; }
        tr.cancelled td:not(.part) .title, tr.cancelled td.time, tr.cancelled td.where { text-decoration: line-through; color: #6b6b6b; }
        .legend { font-size: .85rem; margin-top: .6rem; }
        a { color: #1d3557; }
        @media print {
          body { max-width: none; padding: 0; font-size: 10pt; }
          h1 { font-size: 14pt; }
          a { color: inherit; text-decoration: none; }
        }
        @media screen and (max-width: 40rem) {
          body { padding: .75rem; font: 16px/1.45 "DejaVu Sans", Arial, sans-serif; }
          h1 { font-size: 1.2rem; }
          table, tbody, tr, th, td { display: block; width: auto; border: 0; }
          thead, colgroup { display: none; }
          tbody { margin-bottom: 1rem; }
          th.day { text-align: left; background: #1d3557; color: #fff; padding: .45rem .6rem; border-radius: .3rem .3rem 0 0; }
          th.day br { display: none; }
          th.day span { font-size: 1rem; margin-left: .4em; }
          th.day span::before { content: "· "; }
          tr.entry { border: 1px solid #c8ccd2; border-top: 0; padding: .45rem .6rem; }
          tr.entry > th.day { margin: -.45rem -.6rem .45rem; }
          tr + tr.entry { border-top: 1px dashed #c8ccd2; }
          td { padding: .1rem 0; }
          td.part { text-align: left; color: #1d3557; text-transform: uppercase; font-size: .85rem; letter-spacing: .04em; }
          td.time { font-weight: bold; }
          td[data-label]:empty { display: none; }
          td.where::before, td.prep::before { content: attr(data-label) ": "; font-weight: bold; }
          td.who .lbl { display: inline; }
          td.none { border: 1px solid #c8ccd2; border-top: 0; padding: .45rem .6rem; }
        }

        """
}
