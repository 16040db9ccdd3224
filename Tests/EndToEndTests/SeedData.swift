/// People and events of ../shared/seed-article.vi.txt; emails and clock times the article
/// does not give are made up for the tests.
enum Seed {
    static let conferenceTitle = "Hội nghị phát động phong trào và ký giao ước thi đua năm 2017 Khối cơ quan tư pháp các tỉnh miền núi phía Bắc"
    static let hieu = "Phan Chí Hiếu <hieu@moj.gov.vn>"
    static let tam = "Nhữ Văn Tâm <tam@thainguyen.gov.vn>"
    static let hien = "Vũ Duy Hiển <hien@stp.thainguyen.gov.vn>"
    /// The chair is not named in the article; this one is made up.
    static let chair = "Hoàng Văn Chủ Trì <chutri@stp.thainguyen.gov.vn>"

    /// `eventctl add` arguments for the 3 March 2017 conference in Thái Nguyên.
    static let conference = [
        "add", conferenceTitle, "--kind", "conference", "--start", "3/3/2017 8h00", "--end", "3/3/2017 11h30",
        "--location", "Thái Nguyên", "--chair", chair, "--speaker", tam, "--speaker", hien, "--witness", hieu,
        "--description", "Phát động phong trào thi đua năm 2017.\nKý giao ước thi đua giữa các Sở Tư pháp và Cục THADS.",
    ]

    static let visit = [
        "add", "Buổi làm việc thống nhất phương án hướng tuyến giao thông kết nối huyện Na Hang sang huyện Ba Bể",
        "--kind", "visit", "--start", "3/7/2022 14h00", "--duration", "3h", "--location", "Tuyên Quang",
        "--visiting", "Tỉnh Bắc Kạn", "--host", "Tỉnh Tuyên Quang", "--chair", "Chẩu Văn Lâm <lam@tuyenquang.gov.vn>",
    ]

    static let workshop = [
        "add", "Hội thảo Báo cáo kết quả tham vấn \"Xây dựng mô hình 3D có sự tham gia của cộng đồng tại VQG Cúc Phương\"",
        "--kind", "workshop", "--start", "5/7/2022", "--location", "Vườn Quốc gia Cúc Phương, Ninh Bình",
    ]

    static let ceremony = [
        "add", "Lễ công bố Quyết định khen thưởng đột xuất cho cá nhân đạt thành tích trong Hội thi thể thao nghiệp vụ cứu nạn, cứu hộ toàn quốc lần thứ II",
        "--kind", "ceremony", "--start", "2022-07-04 14:00", "--duration", "1h30m", "--location", "Công an tỉnh Bạc Liêu",
        "--chair", "Lê Thanh Hùng <hung@congan.baclieu.gov.vn>",
    ]

    static let online = [
        "add", "Hội nghị trực tuyến Chính phủ với địa phương và phiên họp Chính phủ thường kỳ tháng 6 năm 2022",
        "--kind", "online", "--start", "2022-07-01T08:00:00+07:00", "--duration", "4h",
        "--link", "https://hop.chinhphu.example.vn/phien-6-2022", "--speaker", "Trần Tiến Dũng <dung@laichau.gov.vn>",
    ]
}
