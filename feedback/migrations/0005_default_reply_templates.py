"""The national reply templates the portal ships (Vietnamese): a general acknowledgement of a complaint, thanks for
praise, and the answer on a delayed file. Re-runnable: a template already there (same name, national) is left as
it is, so an administrator's edits survive."""

from django.db import migrations

TEMPLATES = [
    (
        "Trả lời chung về phản ánh",
        "",
        "Kính gửi Ông/Bà,\n\n"
        "{unit} đã nhận được phản ánh mã {tracking_code} của Ông/Bà ngày {received_on}. "
        "Sau khi xem xét, đơn vị xin trả lời như sau:\n\n"
        "[Nội dung trả lời]\n\n"
        "Đơn vị cảm ơn Ông/Bà đã góp ý để cán bộ, công chức thực hiện tốt hơn Quy tắc ứng xử.\n\n"
        "Trân trọng,\n{unit}",
    ),
    (
        "Cảm ơn lời khen",
        "praise",
        "Kính gửi Ông/Bà,\n\n"
        "{unit} trân trọng cảm ơn Ông/Bà đã dành lời khen (mã {tracking_code}, ngày {received_on}). "
        "Đơn vị đã ghi nhận và thông báo tới cán bộ được nhắc đến, để tiếp tục phục vụ Nhân dân ngày càng tốt hơn.\n\n"
        "Trân trọng,\n{unit}",
    ),
    (
        "Trả lời phản ánh về thái độ của cán bộ",
        "attitude",
        "Kính gửi Ông/Bà,\n\n"
        "{unit} đã nhận phản ánh mã {tracking_code} ngày {received_on} về thái độ của cán bộ. "
        "Đơn vị đã xác minh, làm việc với cán bộ liên quan và nhắc nhở thực hiện nghiêm \"4 xin, 4 luôn\" "
        "theo Quy tắc ứng xử.\n\n"
        "[Kết quả xác minh và biện pháp xử lý]\n\n"
        "Đơn vị xin lỗi Ông/Bà vì sự phiền hà và cảm ơn Ông/Bà đã phản ánh.\n\n"
        "Trân trọng,\n{unit}",
    ),
    (
        "Trả lời phản ánh về chậm giải quyết hồ sơ",
        "delay",
        "Kính gửi Ông/Bà,\n\n"
        "{unit} đã nhận phản ánh mã {tracking_code} ngày {received_on} về việc chậm giải quyết hồ sơ. "
        "Đơn vị đã kiểm tra quá trình xử lý hồ sơ:\n\n"
        "[Nguyên nhân và thời hạn trả kết quả]\n\n"
        "Đơn vị xin lỗi Ông/Bà và sẽ theo dõi để hồ sơ được giải quyết đúng hẹn.\n\n"
        "Trân trọng,\n{unit}",
    ),
]


def add_default_reply_templates(apps, schema_editor):
    ReplyTemplate = apps.get_model("feedback", "ReplyTemplate")
    for name, kind, text in TEMPLATES:
        if not ReplyTemplate.objects.filter(name=name, jurisdiction__isnull=True, shipped_for="").exists():
            ReplyTemplate.objects.create(name=name, kind=kind, text=text)


class Migration(migrations.Migration):

    dependencies = [
        ("feedback", "0004_citizen_messages_reply_templates"),
    ]

    operations = [
        migrations.RunPython(add_default_reply_templates, migrations.RunPython.noop),
    ]
