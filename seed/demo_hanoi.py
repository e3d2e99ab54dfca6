"""Hà Nội in the demo: Phường Thanh Xuân and its neighbours as they work today, and the former Quận Thanh Xuân with
its wards, whose history ends on 30 June 2025.

Since 1 July 2025 the wards sit directly under the city: Phường Thanh Xuân was formed from Thanh Xuân Bắc, Thanh
Xuân Trung, Nhân Chính and others (the package's merge map). The demo moves the staff of the former wards of Quận
Thanh Xuân into the three wards that took most of them; the district's own offices were dissolved, and its work of
overseeing the wards passed to the city's department (``dept.hanoi``, the oversight office's role over the city).
"""

from evaluations.choices import DisciplineForm, Severity
from seed.demo_spec import PROVINCE, ActivityScript, DemoAccount, DemoProvince, DemoWard, SupervisorViolation
from units.choices import Role

THANH_XUAN = "00367"  # Phường Thanh Xuân (current structure): the demo ward officer's ward
KHUONG_DINH = "00364"  # Phường Khương Đình (current)
PHUONG_LIET = "00352"  # Phường Phương Liệt (current)

HANOI = DemoProvince(
    code="01",
    accounts=(
        DemoAccount("admin", "Trần Quốc Hưng", Role.CITY_ADMIN, PROVINCE, superuser=True),
        DemoAccount("dept.hanoi", "Lê Thị Thu Hà", Role.DISTRICT_OFFICE, PROVINCE),
        DemoAccount("ward.thanhxuan", "", Role.WARD_OFFICER, THANH_XUAN, link_staff="Công chức Văn phòng - Thống kê"),
        DemoAccount("head.thanhxuan", "", Role.UNIT_HEAD, THANH_XUAN, link_staff="head"),
        DemoAccount("inspector", "Đỗ Mạnh Cường", Role.INSPECTOR, PROVINCE),
    ),
    wards=(
        # Official codes of the former wards (legacy structure) whose staff each ward took over.
        DemoWard(THANH_XUAN, formed_from=("00367", "00355", "00343")),  # Thanh Xuân Bắc, Thanh Xuân Trung, Nhân Chính
        DemoWard(KHUONG_DINH, formed_from=("00364", "00346", "00373", "00349")),  # Khương Đình, Thượng Đình, Hạ Đình, Khương Trung
        DemoWard(PHUONG_LIET, formed_from=("00358", "00352")),  # Phương Liệt, Khương Mai
    ),
    team_name="Đoàn kiểm tra công vụ số 1",
    legacy_district="009",  # Quận Thanh Xuân
    history=ActivityScript(
        violations=(
            SupervisorViolation("00349", 2, 24, 7, Severity.MINOR,
                                "Không đeo thẻ công chức khi tiếp công dân tại bộ phận một cửa",
                                "Nhắc nhở, yêu cầu chấn chỉnh ngay"),
            SupervisorViolation("00343", 4, 9, 5, Severity.MINOR,
                                "Trả lời điện thoại của công dân với lời lẽ thiếu chuẩn mực", "Nhắc nhở trong cuộc họp giao ban"),
            SupervisorViolation("00358", 6, 16, 4, Severity.SERIOUS,
                                "Tự ý bỏ vị trí làm việc trong giờ hành chính, không báo cáo lãnh đạo",
                                "Kiểm điểm trước tập thể cơ quan"),
        ),
        grade_d_at=(("00352", 5),),
        web_feedback=False,
        feedback_volume=0.8,
        praise_quarter=None,
    ),
    activity=ActivityScript(
        violations=(
            SupervisorViolation(KHUONG_DINH, 2, 24, 7, Severity.MINOR,
                                "Không đeo thẻ công chức khi tiếp công dân tại bộ phận một cửa",
                                "Nhắc nhở, yêu cầu chấn chỉnh ngay"),
            SupervisorViolation(THANH_XUAN, 4, 9, 5, Severity.MINOR,
                                "Trả lời điện thoại của công dân với lời lẽ thiếu chuẩn mực", "Nhắc nhở trong cuộc họp giao ban"),
            SupervisorViolation(PHUONG_LIET, 6, 16, 4, Severity.SERIOUS,
                                "Tự ý bỏ vị trí làm việc trong giờ hành chính, không báo cáo lãnh đạo",
                                "Kiểm điểm trước tập thể cơ quan"),
            SupervisorViolation(THANH_XUAN, 8, 12, 6, Severity.MINOR, "Uống rượu bia vào giờ nghỉ trưa của ngày làm việc",
                                "Nhắc nhở, cán bộ cam kết không tái phạm"),
            SupervisorViolation(KHUONG_DINH, 10, 7, 4, Severity.MINOR,
                                "Chậm trễ, gây phiền hà khi hướng dẫn hồ sơ cho công dân", "Nhắc nhở"),
        ),
        grade_d_at=((PHUONG_LIET, 5), (KHUONG_DINH, 9)),
        kiosk_units=(THANH_XUAN, KHUONG_DINH, PHUONG_LIET),
        complaint=(KHUONG_DINH, 7, 14),
        inspection=(THANH_XUAN, 8, 20),
        sanction=(THANH_XUAN, 8, DisciplineForm.REPRIMAND),  # the lunch-break drinking of August: a reprimand
    ),
)
