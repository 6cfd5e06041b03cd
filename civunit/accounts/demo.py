"""Demo people and offices of a municipal CPPCC organ (市政协机关). Used by `manage.py seed_demo`."""

from django.db import transaction

from .models import Office, User
from .roles import Role

DEMO_PASSWORD = "civunit-demo"  # noqa: S105 (documented demo password; seed_demo refuses to run with DEBUG off)

# (name, short name, kind)
OFFICES = [
    ("办公室", "机关办公室", Office.Kind.COMMITTEE),
    ("研究室", "", Office.Kind.COMMITTEE),
    ("提案委员会办公室", "提案委", Office.Kind.COMMITTEE),
    ("经济委员会办公室", "经济委", Office.Kind.COMMITTEE),
    ("人口资源环境委员会办公室", "人资环委", Office.Kind.COMMITTEE),
    ("文化文史和学习委员会办公室", "文史委", Office.Kind.COMMITTEE),
    ("社会和法制委员会办公室", "社法委", Office.Kind.COMMITTEE),
    ("港澳台侨和外事委员会办公室", "港澳台侨委", Office.Kind.COMMITTEE),
    ("机关党组", "机关党委", Office.Kind.SECTION),
    ("机关服务中心", "服务中心", Office.Kind.SECTION),
    ("人事科", "", Office.Kind.SECTION),
    ("创建工作领导小组办公室", "创建办", Office.Kind.LEADERSHIP_OFFICE),
]

# username, real name, office, position, roles, heads office
PEOPLE = [
    ("coordinator", "陈静", "办公室", "办公室主任", [Role.COORDINATOR, Role.OFFICE_HEAD, Role.STAFF], True),
    ("leader", "赵国强", "机关党组", "秘书长、领导小组副组长", [Role.LEADERSHIP], False),
    ("head", "李明", "研究室", "研究室主任", [Role.OFFICE_HEAD, Role.STAFF], True),
    ("staff", "张伟", "研究室", "一级主任科员", [Role.STAFF], False),
    ("head2", "王芳", "提案委员会办公室", "提案委员会办公室主任", [Role.OFFICE_HEAD, Role.STAFF], True),
    ("staff2", "刘洋", "提案委员会办公室", "二级主任科员", [Role.STAFF], False),
    ("admin", "孙立", "机关服务中心", "信息化管理员", [Role.ADMIN], False),
]

# Further heads and staff so that every office has people (username prefix, names).
EXTRA_NAMES = [
    "周敏",
    "吴磊",
    "郑洁",
    "冯涛",
    "韩雪",
    "杨帆",
    "朱琳",
    "何军",
    "高燕",
    "林峰",
    "罗晶",
    "梁超",
    "宋佳",
    "谢宁",
    "唐亮",
    "许丽",
    "邓华",
    "曹阳",
    "彭飞",
    "蒋文",
]


@transaction.atomic
def seed(*, stdout=None) -> dict[str, Office]:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    offices = {}
    for i, (name, short, kind) in enumerate(OFFICES):
        office, _ = Office.objects.update_or_create(
            name=name, defaults={"short_name": short, "kind": kind, "ordering": (i + 1) * 10}
        )
        offices[name] = office
    groups = {role: Group.objects.get_or_create(name=role.group_name)[0] for role in Role}
    # One hash for every demo account: hashing is deliberately slow (about a second each).
    password_hash = make_password(DEMO_PASSWORD)

    def person(username, real_name, office_name, position, roles, heads):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"real_name": real_name, "office": offices[office_name], "position": position},
        )
        if created:
            user.password = password_hash
        if Role.ADMIN in roles:
            user.is_staff = True
            user.is_superuser = True
        user.save()
        user.groups.add(*(groups[r] for r in roles))
        if heads and offices[office_name].head_id is None:
            offices[office_name].head = user
            offices[office_name].save(update_fields=["head"])
        return user

    for row in PEOPLE:
        person(*row)
    # Every other office gets a head and one staff member.
    names = iter(EXTRA_NAMES)
    for i, (name, _short, _kind) in enumerate(OFFICES):
        office = offices[name]
        if office.head_id is None:
            person(f"head{i + 10}", next(names), name, f"{name}负责人", [Role.OFFICE_HEAD, Role.STAFF], True)
        if not office.members.filter(groups=groups[Role.STAFF], headed_offices__isnull=True).exists():
            person(f"staff{i + 10}", next(names), name, "科员", [Role.STAFF], False)
    if stdout:
        stdout.write(f"  offices: {Office.objects.count()}, people: {User.objects.count()}")
    return offices
