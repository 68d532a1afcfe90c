def test_without_bubblewrap_the_grader_warns_or_refuses(monkeypatch, capsys):
    monkeypatch.setattr(grade, "bwrap_path", lambda: None)
    grade.Grader()
    warning = capsys.readouterr().err
    assert (
        "NOT isolated" in warning and "apt-get install bubblewrap" in warning
    )
    with pytest.raises(grade.EnvironmentProblem, match="bubblewrap"):
        grade.Grader(require_sandbox=True)
