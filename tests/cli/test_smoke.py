def test_user_add_and_list(cli):
    cli("user", "add", "anna", "--name", "Анна Смирнова")
    rows = cli.json("user", "list")
    assert [(r["login"], r["role"]) for r in rows] == [("irina", "admin"), ("anna", "manager")]


def test_manager_may_not_add_users(cli):
    cli("user", "add", "anna")
    result = cli("user", "add", "boris", user="anna", code=3)
    assert result.stderr.strip() == "Error: anna (manager) may not add users: only admin may"
