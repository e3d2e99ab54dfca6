"""The text of Hanoi's two codes of conduct as shipped with the portal, and the fingerprint of a text.

The articles group the rules by the content areas the city uses for rating (attitude at work; communication,
with "4 xin, 4 luôn"; ethics and lifestyle; attire). Administrators can edit the articles and publish a new
version; a published version never changes, since pledges keep the fingerprint of the exact text signed.
"""

import datetime
import hashlib

STAFF_CODE = {
    "slug": "qd-522-2017",
    "title": "Quy tắc ứng xử của cán bộ, công chức, viên chức, người lao động trong các cơ quan thuộc thành phố Hà Nội",
    "decision_number": "522/QĐ-UBND",
    "decision_date": datetime.date(2017, 1, 25),
    "audience": "staff",
    "issuer": "Ủy ban nhân dân thành phố Hà Nội",
    "notes": "Bản phát hành kèm Cổng: các quy tắc được trình bày theo nhóm nội dung đánh giá.",
    "chapters": [
        (1, "Quy định chung", [
            (1, "Phạm vi điều chỉnh",
             "Quy tắc này quy định chuẩn mực xử sự của cán bộ, công chức, viên chức, người lao động trong thi hành "
             "nhiệm vụ, công vụ và trong quan hệ xã hội; trách nhiệm thực hiện và xử lý vi phạm."),
            (2, "Đối tượng áp dụng",
             "Cán bộ, công chức, viên chức, người lao động làm việc trong các cơ quan hành chính, đơn vị sự nghiệp "
             "thuộc thành phố Hà Nội, Ủy ban nhân dân các quận, huyện, thị xã và các phường, xã, thị trấn."),
            (3, "Mục đích",
             "Xây dựng phong cách ứng xử chuẩn mực, chuyên nghiệp, trách nhiệm, tận tụy phục vụ Nhân dân; góp phần "
             "phòng, chống quan liêu, hách dịch, cửa quyền, tiêu cực, nhũng nhiễu, gây phiền hà."),
        ]),
        (2, "Quy tắc ứng xử", [
            (4, "Tinh thần, thái độ làm việc",
             "Trung thành với Nhà nước Cộng hòa xã hội chủ nghĩa Việt Nam; tôn trọng và tận tụy phục vụ Nhân dân. "
             "Chấp hành nghiêm kỷ luật, kỷ cương hành chính, thời gian làm việc; không làm việc riêng trong giờ làm "
             "việc. Giải quyết công việc đúng quy trình, đúng hạn, không để chậm trễ hồ sơ; chịu trách nhiệm về kết "
             "quả công việc được giao."),
            (5, "Giao tiếp, ứng xử",
             "Thực hiện \"4 xin, 4 luôn\": xin chào, xin lỗi, xin cảm ơn, xin phép; luôn nhẹ nhàng, luôn mỉm cười, "
             "luôn lắng nghe, luôn giúp đỡ. Lắng nghe, hướng dẫn tận tình, rõ ràng khi tiếp dân; không hách dịch, "
             "cửa quyền, gây khó khăn, phiền hà. Phối hợp, tôn trọng đồng nghiệp; chấp hành sự chỉ đạo của cấp trên; "
             "người đứng đầu lắng nghe ý kiến của cấp dưới."),
            (6, "Đạo đức, lối sống",
             "Không uống rượu, bia trong giờ làm việc, giờ nghỉ trưa của ngày làm việc; không hút thuốc lá ngoài nơi "
             "quy định; không tham gia đánh bạc dưới mọi hình thức. Giữ gìn kỷ luật phát ngôn, không đưa thông tin "
             "sai sự thật, xúc phạm người khác trên mạng xã hội. Không nhận quà, tiền hoặc lợi ích khác khi thực "
             "hiện nhiệm vụ."),
            (7, "Trang phục",
             "Trang phục gọn gàng, sạch sẽ, lịch sự; đi giày hoặc dép có quai hậu. Đeo thẻ cán bộ, công chức, viên "
             "chức trong khi thực hiện nhiệm vụ; mặc đồng phục đối với ngành, lĩnh vực có quy định."),
        ]),
        (3, "Tổ chức thực hiện", [
            (8, "Trách nhiệm thực hiện",
             "Cán bộ, công chức, viên chức, người lao động ký cam kết thực hiện Quy tắc hằng năm. Người đứng đầu cơ "
             "quan, đơn vị chịu trách nhiệm phổ biến, niêm yết Quy tắc tại trụ sở, kiểm tra, đánh giá việc thực hiện "
             "hằng tháng và xử lý nghiêm các hành vi vi phạm."),
        ]),
    ],
}

PUBLIC_CODE = {
    "slug": "qd-1665-2017",
    "title": "Quy tắc ứng xử nơi công cộng trên địa bàn thành phố Hà Nội",
    "decision_number": "1665/QĐ-UBND",
    "decision_date": datetime.date(2017, 3, 10),
    "audience": "public",
    "issuer": "Ủy ban nhân dân thành phố Hà Nội",
    "notes": "Bản phát hành kèm Cổng: các quy tắc được trình bày theo nhóm nội dung.",
    "chapters": [
        (1, "Quy định chung", [
            (1, "Phạm vi và đối tượng",
             "Quy tắc áp dụng với mọi cơ quan, tổ chức, cá nhân khi tham gia các hoạt động tại nơi công cộng trên "
             "địa bàn thành phố: đường phố, công viên, nơi lễ hội, di tích, phương tiện giao thông công cộng."),
        ]),
        (2, "Quy tắc ứng xử", [
            (2, "Tinh thần, thái độ",
             "Tôn trọng, bảo vệ của công; giữ gìn trật tự, an toàn nơi công cộng; nhường chỗ, giúp đỡ người cao tuổi, "
             "trẻ em, phụ nữ mang thai và người khuyết tật."),
            (3, "Giao tiếp, ứng xử",
             "Ứng xử văn minh, lịch sự, nói năng nhã nhặn, thực hiện \"4 xin, 4 luôn\"; không gây gổ, nói tục, chửi "
             "bậy; xếp hàng theo thứ tự."),
            (4, "Đạo đức, lối sống",
             "Không xả rác, không hút thuốc lá nơi cấm; không uống rượu, bia gây mất trật tự; bảo vệ môi trường, cảnh "
             "quan; không viết, vẽ bậy lên di tích, công trình công cộng."),
            (5, "Trang phục",
             "Trang phục lịch sự, phù hợp với thuần phong mỹ tục, nhất là tại nơi thờ tự, di tích, lễ hội."),
        ]),
        (3, "Tổ chức thực hiện", [
            (6, "Trách nhiệm thực hiện",
             "Các cơ quan, đơn vị, Ủy ban nhân dân các cấp tuyên truyền, niêm yết Quy tắc tại nơi công cộng; cán bộ, "
             "công chức, viên chức gương mẫu thực hiện và vận động Nhân dân cùng thực hiện."),
        ]),
    ],
}

HANOI_CODES = (STAFF_CODE, PUBLIC_CODE)

# The national default where a province has no code of its own: the standards of the public-service culture
# project (Decision 1847/QĐ-TTg of 27/12/2018), which provinces such as An Giang (formerly Kiên Giang) apply.
NATIONAL_CODE = {
    "slug": "qd-1847-2018",
    "title": "Chuẩn mực văn hóa công vụ của cán bộ, công chức, viên chức (Đề án Văn hóa công vụ)",
    "decision_number": "1847/QĐ-TTg",
    "decision_date": datetime.date(2018, 12, 27),
    "audience": "staff",
    "issuer": "Thủ tướng Chính phủ",
    "notes": "Bản phát hành kèm Cổng: các chuẩn mực của Đề án Văn hóa công vụ, áp dụng khi tỉnh chưa ban hành quy tắc riêng.",
    "chapters": [
        (1, "Quy định chung", [
            (1, "Phạm vi và đối tượng áp dụng",
             "Chuẩn mực về tinh thần, thái độ làm việc, giao tiếp, ứng xử, đạo đức, lối sống và trang phục của cán bộ, "
             "công chức, viên chức, người lao động khi thi hành nhiệm vụ, công vụ tại các cơ quan hành chính nhà nước."),
        ]),
        (2, "Chuẩn mực văn hóa công vụ", [
            (2, "Tinh thần, thái độ làm việc",
             "Trung thành với Nhà nước Cộng hòa xã hội chủ nghĩa Việt Nam; bảo vệ danh dự Tổ quốc và lợi ích quốc gia; "
             "tôn trọng và tận tụy phục vụ Nhân dân; ý thức rõ chức trách, bổn phận của bản thân khi thực hiện nhiệm "
             "vụ, công vụ."),
            (3, "Giao tiếp, ứng xử",
             "Tôn trọng, lắng nghe, tận tình hướng dẫn quy trình xử lý công việc và giải thích cặn kẽ thắc mắc của "
             "người dân. Thực hiện \"4 xin, 4 luôn\": xin chào, xin lỗi, xin cảm ơn, xin phép; luôn nhẹ nhàng, luôn "
             "mỉm cười, luôn lắng nghe, luôn giúp đỡ. Hợp tác, tương trợ đồng nghiệp, không bè phái gây mất đoàn kết; "
             "tuân thủ thứ bậc hành chính, không trốn tránh, thoái thác nhiệm vụ; người giữ chức vụ lãnh đạo tôn "
             "trọng, lắng nghe ý kiến cấp dưới."),
            (4, "Đạo đức, lối sống",
             "Cần, kiệm, liêm, chính, chí công, vô tư; trung thực, giản dị, thẳng thắn. Không đánh bạc, không sa vào tệ "
             "nạn xã hội; không sử dụng đồ uống có cồn trong giờ làm việc và giờ nghỉ trưa; không hút thuốc lá ngoài "
             "nơi quy định; tuân thủ kỷ luật phát ngôn, không dùng mạng xã hội lan truyền thông tin chưa được kiểm "
             "chứng, phiến diện, ảnh hưởng đến hoạt động công vụ."),
            (5, "Trang phục",
             "Khi thực hiện nhiệm vụ ăn mặc gọn gàng, lịch sự, sạch, đẹp, phù hợp với tính chất công việc; đi giày, dép "
             "có quai hậu; đeo thẻ hoặc phù hiệu; ngành có trang phục riêng thực hiện theo quy định."),
        ]),
        (3, "Tổ chức thực hiện", [
            (6, "Trách nhiệm thực hiện",
             "Người đứng đầu cơ quan, đơn vị phổ biến, niêm yết các chuẩn mực tại trụ sở, kiểm tra việc thực hiện theo "
             "kế hoạch hằng năm hoặc đột xuất; cán bộ, công chức vi phạm tùy tính chất, mức độ bị xử lý kỷ luật theo "
             "quy định; kịp thời biểu dương người gương mẫu."),
        ]),
    ],
}


def canonical_text(title: str, chapters) -> str:
    """The exact text of a version, built the same way wherever it is hashed or shown.

    ``chapters``: (number, title, [(number, title, text), …]) in order.
    """
    lines = [title.strip(), ""]
    for chapter_number, chapter_title, articles in chapters:
        lines.append(f"Chương {chapter_number}. {chapter_title.strip()}")
        for number, article_title, text in articles:
            lines.append(f"Điều {number}. {article_title.strip()}")
            lines.append(" ".join(text.split()))
        lines.append("")
    return "\n".join(lines).strip() + "\n"


def text_fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
