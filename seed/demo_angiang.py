"""Tỉnh An Giang in the demo: a province of the current structure only, rated under the national rules, with a code
of conduct of its own.

Since 1 July 2025 Tỉnh An Giang (code 91) includes the former Kiên Giang, home of the Vĩnh Thuận article (seed 004):
the district of Vĩnh Thuận applied the national public-service culture project, Decision 1847/QĐ-TTg, with its
content areas (spirit and attitude at work; communication, "4 xin, 4 luôn"; ethics and lifestyle; attire). The demo
works in today's **Xã Vĩnh Thuận** (31069), a commune of a dozen people under the province:

- its scoring scheme is the national default, Decree 335/2025/NĐ-CP (30 + 70 points, A at most 20 % of those rated
  B), shipped with the portal: nothing of the province's own, until ``province.angiang`` publishes one;
- its code of conduct is the province's own (``AN_GIANG_CODE``), written from the content areas of Decision
  1847/QĐ-TTg as the article lists them. It is **demo data**: the decision number is not a real one and says so;
- its 2026: the province's pledge campaign, monthly sheets from January, a few violations citing the province's
  code, citizen feedback and a satisfaction kiosk at the one-stop desk.

The province is imported on the current structure only: it has no former district in the demo.
"""

import datetime

from evaluations.choices import Severity
from seed.demo_people import CIVIL_SERVANT, OFFICIAL, SOUTHERN_FAMILY_NAMES, WORKER, Post
from seed.demo_spec import PROVINCE, ActivityScript, DemoAccount, DemoProvince, DemoWard, SupervisorViolation
from units.choices import Leadership, Role

VINH_THUAN = "31069"  # Xã Vĩnh Thuận (current structure): the demo commune officer's commune
OFFICE_POST = "Công chức Văn phòng - Thống kê"

# A commune's People's Committee after the reform, as a small demo roster: the chair and vice chairs (cán bộ, elected
# by the commune's People's Council), the specialist civil servants (Decree 33/2023/NĐ-CP) and the one-stop desk.
VINH_THUAN_ROSTER = (
    Post("Chủ tịch UBND xã", OFFICIAL, 0.25, Leadership.HEAD),
    Post("Phó Chủ tịch UBND xã", OFFICIAL, 0.35, Leadership.DEPUTY),
    Post("Phó Chủ tịch UBND xã", OFFICIAL, 0.35, Leadership.DEPUTY),
    Post(OFFICE_POST, CIVIL_SERVANT, 0.65),
    Post(OFFICE_POST, CIVIL_SERVANT, 0.65),
    Post("Công chức Tư pháp - Hộ tịch", CIVIL_SERVANT, 0.6),
    Post("Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường", CIVIL_SERVANT, 0.3),
    Post("Công chức Tài chính - Kế toán", CIVIL_SERVANT, 0.75),
    Post("Công chức Văn hóa - Xã hội", CIVIL_SERVANT, 0.6),
    Post("Công chức Văn hóa - Xã hội", CIVIL_SERVANT, 0.6),
    Post("Chỉ huy trưởng Ban Chỉ huy Quân sự xã", CIVIL_SERVANT, 0.0),
    Post("Nhân viên hợp đồng Bộ phận Một cửa", WORKER, 0.7),
)

# Demo data: a code of the province built on Decision 1847/QĐ-TTg's content as the Vĩnh Thuận article describes it.
# The decision number is deliberately not a real one. Articles 4 to 7 are the four content areas, numbered as in
# Hanoi's code 522 (the demo's complaint about a citizen being shouted at cites article 5, communication).
AN_GIANG_CODE = {
    "slug": "an-giang-quy-tac-ung-xu-du-lieu-mau",
    "title": "Quy tắc ứng xử của cán bộ, công chức, viên chức, người lao động trong các cơ quan hành chính nhà nước "
             "tỉnh An Giang",
    "decision_number": "…/QĐ-UBND (dữ liệu mẫu)",
    "decision_date": datetime.date(2025, 9, 15),
    "audience": "staff",
    "issuer": "Ủy ban nhân dân tỉnh An Giang",
    "notes": "Dữ liệu mẫu của bản trình diễn: quy tắc của tỉnh xây dựng trên các chuẩn mực của Đề án Văn hóa công vụ "
             "(Quyết định 1847/QĐ-TTg); số quyết định không phải là văn bản thật.",
    "chapters": [
        (1, "Quy định chung", [
            (1, "Phạm vi điều chỉnh",
             "Quy tắc này quy định chuẩn mực về tinh thần, thái độ làm việc, giao tiếp, ứng xử, đạo đức, lối sống và "
             "trang phục của cán bộ, công chức, viên chức, người lao động khi thi hành nhiệm vụ, công vụ; trách nhiệm "
             "thực hiện và xử lý vi phạm. Quy tắc được xây dựng trên cơ sở Đề án Văn hóa công vụ ban hành kèm theo "
             "Quyết định số 1847/QĐ-TTg ngày 27/12/2018 của Thủ tướng Chính phủ."),
            (2, "Đối tượng áp dụng",
             "Cán bộ, công chức, viên chức, người lao động làm việc tại các sở, ban, ngành tỉnh, Ủy ban nhân dân các "
             "xã, phường, đặc khu và các đơn vị sự nghiệp công lập thuộc tỉnh An Giang."),
            (3, "Mục đích",
             "Hình thành phong cách ứng xử, lề lối làm việc chuẩn mực của đội ngũ cán bộ, công chức, viên chức, người "
             "lao động, bảo đảm tính chuyên nghiệp, trách nhiệm, năng động, minh bạch, hiệu quả trong thực thi nhiệm "
             "vụ, công vụ; đáp ứng yêu cầu phục vụ Nhân dân, doanh nghiệp; phòng, chống quan liêu, hách dịch, cửa "
             "quyền, nhũng nhiễu, gây phiền hà."),
        ]),
        (2, "Chuẩn mực ứng xử", [
            (4, "Tinh thần, thái độ làm việc",
             "Trung thành với Nhà nước Cộng hòa xã hội chủ nghĩa Việt Nam; bảo vệ danh dự Tổ quốc và lợi ích quốc gia; "
             "tôn trọng và tận tụy phục vụ Nhân dân. Khi thực hiện nhiệm vụ, công vụ phải ý thức rõ chức trách, bổn "
             "phận của bản thân; giải quyết công việc đúng quy trình, đúng hạn, không để chậm trễ hồ sơ của người "
             "dân, doanh nghiệp."),
            (5, "Giao tiếp, ứng xử",
             "Tôn trọng, lắng nghe, tận tình hướng dẫn quy trình xử lý công việc và giải thích cặn kẽ những thắc mắc "
             "của người dân. Thực hiện \"4 xin, 4 luôn\": xin chào, xin lỗi, xin cảm ơn, xin phép; luôn nhẹ nhàng, "
             "luôn mỉm cười, luôn lắng nghe, luôn giúp đỡ. Hợp tác, tương trợ đồng nghiệp, không bè phái gây mất đoàn "
             "kết nội bộ; tuân thủ thứ bậc hành chính, phục tùng sự chỉ đạo, điều hành, phân công công việc của cấp "
             "trên, không trốn tránh, thoái thác nhiệm vụ. Người giữ chức vụ lãnh đạo, quản lý không duy ý chí, áp "
             "đặt, bảo thủ; tôn trọng, lắng nghe ý kiến cấp dưới; gương mẫu trong giao tiếp, ứng xử."),
            (6, "Đạo đức, lối sống",
             "Thực hiện cần, kiệm, liêm, chính, chí công, vô tư; trung thực, giản dị, thẳng thắn, chân thành. Không "
             "đánh bạc, sa vào tệ nạn xã hội; không sử dụng đồ uống có cồn trong giờ làm việc và giờ nghỉ trưa; không "
             "hút thuốc lá ngoài nơi quy định. Tuân thủ kỷ luật phát ngôn; không sử dụng mạng xã hội để khai thác, "
             "tuyên truyền thông tin chưa được kiểm chứng, phiến diện, một chiều ảnh hưởng đến hoạt động công vụ. Giữ "
             "gìn thuần phong mỹ tục; không mê tín dị đoan và hành vi phản cảm khi tham gia lễ hội."),
            (7, "Trang phục",
             "Khi thực hiện nhiệm vụ ăn mặc gọn gàng, lịch sự, sạch, đẹp, phù hợp với tính chất công việc; đi giày "
             "hoặc dép có quai hậu; đeo thẻ hoặc phù hiệu trong khi thực hiện nhiệm vụ. Ngành có trang phục riêng thực "
             "hiện theo quy định."),
        ]),
        (3, "Tổ chức thực hiện", [
            (8, "Trách nhiệm thực hiện",
             "Cán bộ, công chức, viên chức, người lao động ký cam kết thực hiện Quy tắc hằng năm. Người đứng đầu cơ "
             "quan, đơn vị phổ biến, niêm yết Quy tắc tại trụ sở, đánh giá việc thực hiện hằng tháng; Sở Nội vụ tham "
             "mưu Ủy ban nhân dân tỉnh theo dõi, kiểm tra việc thực hiện theo kế hoạch hằng năm hoặc đột xuất, gắn "
             "với Chỉ thị số 10/CT-TTg ngày 22/4/2019 của Thủ tướng Chính phủ."),
            (9, "Xử lý vi phạm, khen thưởng",
             "Cán bộ, công chức, viên chức, người lao động vi phạm Quy tắc tùy tính chất, mức độ bị xử lý kỷ luật theo "
             "quy định của pháp luật; xử lý nghiêm hành vi nhũng nhiễu, gây phiền hà, chậm trễ trong giải quyết công "
             "việc của người dân, doanh nghiệp. Kịp thời biểu dương, khen thưởng người gương mẫu thực hiện Quy tắc."),
        ]),
    ],
}

AN_GIANG = DemoProvince(
    code="91",
    structure="current",
    accounts=(
        DemoAccount("province.angiang", "Huỳnh Văn Thành", Role.CITY_ADMIN, PROVINCE),
        DemoAccount("officer.vinhthuan", "", Role.WARD_OFFICER, VINH_THUAN, link_staff=OFFICE_POST),
        DemoAccount("head.vinhthuan", "", Role.UNIT_HEAD, VINH_THUAN, link_staff="head"),
    ),
    wards=(DemoWard(VINH_THUAN, roster=VINH_THUAN_ROSTER),),
    activity_from=datetime.date(2026, 1, 1),  # Decree 335/2025 in force; the province's code signed this year
    activity=ActivityScript(
        violations=(
            SupervisorViolation(VINH_THUAN, 3, 12, 6, Severity.MINOR, "Uống rượu bia vào giờ nghỉ trưa của ngày làm việc",
                                "Nhắc nhở, cán bộ cam kết không tái phạm"),
            SupervisorViolation(VINH_THUAN, 9, 17, 7, Severity.MINOR,
                                "Không đeo thẻ công chức, đi dép không có quai hậu khi tiếp công dân tại bộ phận một cửa",
                                "Nhắc nhở, yêu cầu chấn chỉnh ngay"),
        ),
        grade_d_at=((VINH_THUAN, 6),),
        feedback_volume=1.2,
        kiosk_units=(VINH_THUAN,),
        complaint=(VINH_THUAN, 5, 14),
        praise_quarter=3,
    ),
    campaign_title="Ký cam kết thực hiện Quy tắc ứng xử của tỉnh An Giang năm {year}",
    officer_ward_signed=0.85,
    conduct_code=AN_GIANG_CODE,
    family_names=SOUTHERN_FAMILY_NAMES,
)
