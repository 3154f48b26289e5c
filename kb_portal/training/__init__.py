"""Training: quizzes, onboarding tracks and trainer reports (issue 5, DESIGN.md §6)."""
