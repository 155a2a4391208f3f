namespace SentenceEmbeddings.Quantization;

/// <summary>The built-in texts the quality gate embeds: short and long, plain and technical, questions and statements, written for this project.</summary>
internal static class CalibrationSample
{
    /// <summary>Gets the 48 texts.</summary>
    public static IReadOnlyList<string> Texts { get; } =
    [
        "The weather is lovely today.",
        "It's so sunny outside!",
        "He drove to the stadium.",
        "A man is playing a guitar on the street corner.",
        "Two dogs are running through a field of tall grass.",
        "How do I reset my password?",
        "What is the capital of Australia?",
        "Where can I find a good coffee shop near the station?",
        "The meeting has been moved to Thursday at 3 pm.",
        "Please send the invoice to the accounts department.",
        "Senior backend engineer, Go and PostgreSQL, remote within Europe.",
        "Looking for a nurse with five years of experience in intensive care.",
        "Part-time warehouse assistant, forklift licence required.",
        "The patient was given 500 mg of paracetamol every six hours.",
        "Interest rates rose by a quarter of a percentage point on Wednesday.",
        "The new phone has a larger battery but a dimmer screen.",
        "This restaurant serves the best ramen I have ever had.",
        "The film was long, slow and ultimately disappointing.",
        "Photosynthesis turns light, water and carbon dioxide into sugar and oxygen.",
        "The mitochondria is the powerhouse of the cell.",
        "Water boils at 100 degrees Celsius at sea level.",
        "Shakespeare wrote Hamlet around the year 1600.",
        "The train to Edinburgh leaves from platform 4.",
        "Add two cups of flour and a pinch of salt, then stir.",
        "Error: connection refused (ECONNREFUSED) on port 5432.",
        "SELECT name, email FROM users WHERE created_at > '2024-01-01';",
        "Use a hash map when you need constant-time lookups by key.",
        "The function returns null when the list is empty.",
        "Our quarterly revenue grew 12% year over year, driven by subscriptions.",
        "The children built a sandcastle before the tide came in.",
        "She finally finished the marathon after four hours and ten minutes.",
        "Can you recommend a book about the history of mathematics?",
        "The museum is closed on Mondays and public holidays.",
        "A cat is sleeping on the windowsill in the afternoon sun.",
        "The bridge was closed for repairs after the storm.",
        "I think the answer depends on how you define intelligence.",
        "Thanks for your help, it worked perfectly!",
        "The package was delivered to the wrong address.",
        "Vaccines train the immune system to recognise a pathogen without causing the disease.",
        "Climate change is raising sea levels and making heatwaves more frequent.",
        "The committee approved the budget after a long debate. Several members raised concerns about the cost of the new " +
            "building, while others argued that the current offices were too small for the growing team. In the end the vote was " +
            "seven to four, and construction is expected to begin in the spring.",
        "To install the tool, download the archive, unpack it into a folder on your path, and run the setup command once. " +
            "The first run creates a configuration file in your home directory; edit it to point at your data folder. If the " +
            "command is not found, open a new terminal so that the updated path is read.",
        "The village lies at the foot of a steep valley, where a narrow road follows the river for several miles. In summer " +
            "walkers come for the waterfalls and the old stone bridges; in winter the road is often closed by snow, and the few " +
            "hundred people who live there rely on a weekly delivery of food and fuel.",
        "We are hiring a data analyst to join our operations team. You will build dashboards, clean and combine data from " +
            "several systems, and help managers make decisions with numbers. Experience with SQL and a spreadsheet tool is " +
            "required; Python or R is a plus. The role is based in our Manchester office with two days a week from home.",
        "Transformers process all the tokens of a sentence at once. Each layer lets every token attend to every other token, " +
            "weighting them by learned relevance, and then passes the result through a small feed-forward network. Stacking " +
            "many such layers gives representations that capture both the meaning of words and their relations in context.",
        "The recipe calls for ripe tomatoes, garlic, olive oil and fresh basil. Roast the tomatoes slowly until they " +
            "collapse, crush them with the garlic, and stir in the oil and torn basil leaves just before serving with pasta.",
        "After the update, the app crashes whenever I open the settings page. I have tried reinstalling it and restarting my " +
            "phone, but the problem remains. My device runs the latest version of the operating system.",
        "",
    ];
}
