def test_user_add_and_list(cli):
    cli("user", "add", "anna", "--name", "Анна Смирнова")
    rows = cli.json("user", "list")
    assert [(r["login"], r["role"]) for r in rows] == [("irina", "admin"), ("anna", "manager")]


def test_manager_may_not_add_users(cli):
    cli("user", "add", "anna")
    result = cli("user", "add", "boris", user="anna", code=3)
    assert result.stderr.strip() == "Error: anna (manager) may not add users: only admin may"


def test_dashboard_without_a_terminal_says_so_instead_of_waiting(cli):
    """In a script or a pipe there is no one to press keys: one line, exit 2, at once."""
    result = cli("dashboard", code=2)
    assert "the dashboard needs a terminal" in result.stderr
