import EventModel
import Foundation

/// How a recurring event repeats, in the reader's words: "Hằng tuần vào Thứ Hai, 10 lần".
enum RepeatDescription {
    static func text(_ recurrence: Recurrence, zone: Zone, english: Bool) -> String {
        var parts: [String: String] = [:]
        for item in recurrence.rule.split(separator: ";") {
            let pair = item.split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { parts[pair[0].uppercased()] = pair[1] }
        }
        let interval = Int(parts["INTERVAL"] ?? "1") ?? 1
        let unitsVI = ["DAILY": "ngày", "WEEKLY": "tuần", "MONTHLY": "tháng", "YEARLY": "năm", "HOURLY": "giờ"]
        let unitsEN = ["DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year", "HOURLY": "hour"]
        let frequency = parts["FREQ"] ?? "WEEKLY"
        var text: String
        if english {
            let unit = unitsEN[frequency] ?? frequency.lowercased()
            text = interval == 1 ? "Every \(unit)" : "Every \(interval) \(unit)s"
        } else {
            let unit = unitsVI[frequency] ?? frequency.lowercased()
            text = interval == 1 ? "Hằng \(unit)" : "\(interval) \(unit) một lần"
        }
        if let days = parts["BYDAY"] {
            let vi = ["MO": "Thứ Hai", "TU": "Thứ Ba", "WE": "Thứ Tư", "TH": "Thứ Năm", "FR": "Thứ Sáu", "SA": "Thứ Bảy", "SU": "Chủ nhật"]
            let en = ["MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday", "SA": "Saturday", "SU": "Sunday"]
            let names = days.split(separator: ",").map { day -> String in
                let code = String(day.suffix(2))
                let ordinal = String(day.dropLast(2))
                let name = (english ? en : vi)[code] ?? code
                guard let n = Int(ordinal) else { return name }
                if english { return n == -1 ? "the last \(name)" : "the \(n)\(n == 1 ? "st" : n == 2 ? "nd" : n == 3 ? "rd" : "th") \(name)" }
                return n == -1 ? "\(name) cuối cùng" : "\(name) thứ \(n)"
            }
            text += (english ? " on " : " vào ") + names.joined(separator: english ? ", " : ", ")
        }
        if let monthDay = parts["BYMONTHDAY"] { text += english ? " on day \(monthDay)" : " vào ngày \(monthDay)" }
        if let count = parts["COUNT"] { text += english ? ", \(count) times" : ", \(count) lần" }
        if let until = parts["UNTIL"], until.count >= 8, let y = Int(until.prefix(4)), let m = Int(until.dropFirst(4).prefix(2)), let d = Int(until.dropFirst(6).prefix(2)) {
            text += english ? ", until \(d)/\(m)/\(y)" : ", đến ngày \(d)/\(m)/\(y)"
        }
        if !recurrence.exceptions.isEmpty || !recurrence.exceptionDates.isEmpty {
            // Excluded occurrences by their start, excluded days (`2027-01-11`) by their date, day first.
            let days = recurrence.exceptionDates.compactMap { CivilDateTime(isoDate: $0)?.dayFirst }
            let skipped = (recurrence.exceptions.map { zone.display($0, dateOnly: true) } + days).joined(separator: ", ")
            text += english ? " (not on \(skipped))" : " (trừ \(skipped))"
        }
        return text
    }
}
