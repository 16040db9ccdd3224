#!/usr/bin/env bash
# Renders the weekly schedule of the seed article's week of 4 July 2022, published and then
# amended (a move, a cancel, a new event), and takes what a reviewer looks at: headless
# Chromium screenshots of the HTML page at A4 landscape (1123x794 CSS px) and at phone width
# (390 px), and the PDF's first page as PNG (weasyprint, then pdftoppm).
# Usage: scripts/schedule-screenshots.sh [OUT_DIR]   (default: ./schedule-shots; not for git)
# Needs a debug build (swift build), chromium-headless-shell (or chromium), weasyprint, poppler-utils.
set -euo pipefail
out="$(realpath -m "${1:-schedule-shots}")"
bin="$(swift build --show-bin-path 2>/dev/null || echo .build/debug)"
chrome="$(command -v chromium-headless-shell || command -v chromium || true)"
[ -n "$chrome" ] || { echo "install chromium-headless-shell (apt-get install chromium-headless-shell)" >&2; exit 69; }
work="$(mktemp -d /tmp/evshot-XXXXXX)"
port=$((20000 + RANDOM % 10000))
mkdir -p "$out"
"$bin/eventd" --socket "$work/s" --data-dir "$work/data" --http "127.0.0.1:$port" >"$work/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -S "$work/s" ] && break; sleep 0.1; done
export EVENTD_SOCKET="$work/s"
ctl() { "$bin/eventctl" "$@"; }
ctl person add "Lê Thanh Hùng" --position "Phó Giám đốc Công an tỉnh" --org "Công an tỉnh Bạc Liêu" >/dev/null
ctl person add "Chẩu Văn Lâm" --position "Bí thư Tỉnh ủy Tuyên Quang" >/dev/null
ceremony=$(ctl add "Lễ công bố Quyết định khen thưởng đột xuất cho cá nhân đạt thành tích trong Hội thi thể thao nghiệp vụ cứu nạn, cứu hộ toàn quốc lần thứ II" \
  --kind ceremony --start "14h00 chiều 4/7/2022" --duration 1h30m --location "Công an tỉnh Bạc Liêu" --room "Hội trường A" \
  --chair "le thanh hung" --attendee "Trần Văn Mạnh" --prepare "Phòng Công tác Đảng và công tác chính trị")
workshop=$(ctl add "Hội thảo Báo cáo kết quả tham vấn \"Xây dựng mô hình 3D có sự tham gia của cộng đồng tại VQG Cúc Phương\"" \
  --kind workshop --start 5/7/2022 --location "Vườn Quốc gia Cúc Phương, Ninh Bình" --prepare "IUCN Việt Nam" --attendee "Lê Thanh Hùng")
meeting=$(ctl add "Họp giao ban Ban Giám đốc" --kind meeting --start "sáng 6/7/2022" --location "Công an tỉnh Bạc Liêu" --room "Phòng họp số 1" \
  --chair "le thanh hung" --attendee "Trần Văn Mạnh" --prepare "Văn phòng Công an tỉnh")
ctl session add "$meeting" "Báo cáo tình hình an ninh trật tự tháng 6" --start "6/7/2022 8h30" --end "6/7/2022 9h30" --speaker "tran van manh" >/dev/null
ctl add "Dự Hội nghị trực tuyến Chính phủ với địa phương" --kind online --start "8h00 7/7/2022" --duration 4h \
  --link https://hop.chinhphu.example.vn/phien-7-2022 --attendee "Lê Thanh Hùng" --prepare "Văn phòng Công an tỉnh" >/dev/null
ctl schedule publish --week 2022-W27 --org "Công an tỉnh Bạc Liêu" >/dev/null
ctl update "$ceremony" --start "14h00 chiều 8/7/2022" >/dev/null
ctl cancel "$workshop" >/dev/null
ctl add "Tiếp đoàn công tác Công an tỉnh Cà Mau" --kind visit --start "8h30 sáng 8/7/2022" --duration 2h --location "Công an tỉnh Bạc Liêu" \
  --visiting "Công an tỉnh Cà Mau" --host "Công an tỉnh Bạc Liêu" --chair "Lê Thanh Hùng" --prepare "Phòng Tham mưu" >/dev/null
page="http://127.0.0.1:$port/schedule/cong-an-tinh-bac-lieu.html?week=2022-W27"
curl -sf "$page" -o "$out/schedule.html"
shoot() { "$chrome" --no-sandbox --disable-gpu --hide-scrollbars --window-size="$1" --screenshot="$2" "file://$out/schedule.html" >/dev/null 2>&1; }
shoot 1123,794 "$out/a4.png"
shoot 390,1900 "$out/phone.png"
ctl schedule --week 2022-W27 --org "Công an tỉnh Bạc Liêu" --format pdf -o "$out/schedule.pdf"
pdftoppm -png -r 100 -f 1 -l 1 -singlefile "$out/schedule.pdf" "$out/pdf-page1"
ctl schedule --week 2022-W27 --org "Công an tỉnh Bạc Liêu" >"$out/schedule.txt"
echo "$out: schedule.html a4.png phone.png schedule.pdf pdf-page1.png schedule.txt (served at $page)"
